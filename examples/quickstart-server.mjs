// The same call over the embedded server: start it first with `npm start` (in a clone of
// headless-calling), which serves http://127.0.0.1:8080 in demo mode. Run: node quickstart-server.mjs
// (a server on another port: HC_URL=http://127.0.0.1:9000 node quickstart-server.mjs)
import TRTCCalling from 'headless-calling';
import { embeddedBackend } from 'headless-calling/embedded';
import { WebSocket } from 'ws'; // Node 20 has no global WebSocket (browsers and Node 22 do)

const server = process.env.HC_URL ?? 'http://127.0.0.1:8080';

// Demo mode only: GET /usersig signs a userSig for anyone. A real app makes userSigs on its own
// server with the app's secret key (see "The userSig" below).
async function signIn(userID) {
  const res = await fetch(`${server}/usersig?userID=${userID}`).catch((error) => {
    throw new Error(`cannot reach ${server} (${error.cause?.code ?? error.cause?.message ?? error.message}): is npm start running? (on another port: set HC_URL)`);
  });
  if (!res.ok) throw new Error(`${server}/usersig answered ${res.status}: is it started with --demo-signing, as npm start does?`);
  const { sdkAppID, userSig } = await res.json();
  const backend = embeddedBackend({ url: `${server.replace(/^http/, 'ws')}/ws`, WebSocket });
  const calling = new TRTCCalling({ SDKAppID: sdkAppID, backend });
  await calling.login({ userID, userSig });
  return calling;
}

const alice = await signIn('alice');
const bob = await signIn('bob');

bob.on(TRTCCalling.EVENT.INVITED, ({ sponsor, inviteID }) => {
  console.log(`bob: ${sponsor} is calling`);
  bob.accept({ inviteID });
});
alice.on(TRTCCalling.EVENT.USER_ACCEPT, ({ userID }) => {
  console.log(`alice: ${userID} answered, hanging up in 2 s`);
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

// Node has no camera: the embedded backend's room carries signaling only here (a browser
// uses webrtcBackend for media, as the demo page does).
await alice.call({ userID: 'bob', type: TRTCCalling.CALL_TYPE.AUDIO_CALL, timeout: 30 });
await bothEnded;
await alice.logout();
await bob.logout();
alice.destroy();
bob.destroy();
