// Alice calls Bob, Bob answers, Alice hangs up 2 s later: two clients in one script, over the
// in-process memory network (no server). Run: node quickstart-memory.mjs
import TRTCCalling from 'headless-calling';
import { createMemoryNetwork } from 'headless-calling/testing';

// The memory network carries IM and media between the clients of this process. It checks no
// credentials: any non-empty userSig logs in (the embedded and Tencent backends verify it).
const network = createMemoryNetwork();
const alice = new TRTCCalling({ SDKAppID: 1400000001, backend: network.backend() });
const bob = new TRTCCalling({ SDKAppID: 1400000001, backend: network.backend() });

bob.on(TRTCCalling.EVENT.INVITED, ({ sponsor, inviteID }) => {
  console.log(`bob: ${sponsor} is calling`);
  bob.accept({ inviteID });
});
alice.on(TRTCCalling.EVENT.USER_ENTER, ({ userID }) => {
  console.log(`alice: ${userID} joined, hanging up in 2 s`);
  setTimeout(() => alice.hangup(), 2000);
});
const ended = (name, calling) =>
  new Promise((resolve) =>
    calling.on(TRTCCalling.EVENT.CALL_END, ({ reason, callEnd }) => {
      console.log(`${name}: call ended (${reason}, ${callEnd} s)`);
      resolve();
    }),
  );
const bothEnded = Promise.all([ended('alice', alice), ended('bob', bob)]);

await alice.login({ userID: 'alice', userSig: 'unchecked' });
await bob.login({ userID: 'bob', userSig: 'unchecked' });
await alice.call({ userID: 'bob', type: TRTCCalling.CALL_TYPE.VIDEO_CALL, timeout: 30 });
await bothEnded;
alice.destroy();
bob.destroy();
