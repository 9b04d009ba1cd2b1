// A runnable example: two users call each other over the in-process memory backend, in real
// time, through the documented TRTCCalling API. Run with `npm run example`.
import { TRTCCalling } from 'headless-calling';
import { createMemoryNetwork } from 'headless-calling/testing';

const network = createMemoryNetwork(); // real time; pass { clock: new SimulatedClock() } in tests
const alice = new TRTCCalling({ SDKAppID: 1400000001, backend: network.backend() });
const bob = new TRTCCalling({ SDKAppID: 1400000001, backend: network.backend() });

const log = (who) => (name) => (payload) => console.log(`${who.padEnd(5)} ${name} ${JSON.stringify(payload)}`);
for (const name of new Set(Object.values(TRTCCalling.EVENT))) {
  alice.on(name, log('alice')(name));
  bob.on(name, log('bob')(name));
}

bob.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => bob.accept({ inviteID }));
const ended = new Promise((resolve) => bob.on(TRTCCalling.EVENT.CALL_END, resolve));

await alice.login({ userID: 'alice', userSig: 'demo' });
await bob.login({ userID: 'bob', userSig: 'demo' });
await alice.call({ userID: 'bob', type: TRTCCalling.CALL_TYPE.VIDEO_CALL, timeout: 30 });
setTimeout(() => alice.hangup(), 500);
await ended;
alice.destroy();
bob.destroy();
