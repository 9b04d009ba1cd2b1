/**
 * Many devices: the answer one device of Bob's sends reaches his other devices live, but never before
 * the stored invitation it answers, on a device whose backlog (which holds that invitation) is not
 * paged in yet: one that just logged in or came back, its pump waiting for the turn's commit. The
 * commit is held by the test (`defer`), so "the same turn" is exact; write-behind on its simulated clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, commitGate, serverSees, tencentUserSig, testServer, type TestServer } from './support';

let server: TestServer | null = null;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await server?.dispose();
  server = null;
});

/** A many-devices server whose commits the test may hold (`commitGate`), and its logins. */
async function heldServer(writeBehindMs: number) {
  const gate = commitGate();
  server = await testServer({ multiDevice: true, writeBehindMs, defer: gate.defer });
  const s = server;
  const login = async (userID: string, device?: string) => {
    const c = await RawClient.login(s.handle.url, userID, device === undefined ? {} : { device });
    clients.push(c);
    return c;
  };
  return { s, hold: gate.hold, release: gate.release, login };
}

const INVITE = { type: 'sendC2C', to: 'bob', payload: 'invite inv-1', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 30 } };
const ACCEPT = { type: 'sendC2C', to: 'alice', payload: 'accept inv-1', onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' } };
/** Waits until both the invitation and the accept came (in whichever order). */
async function bothOn(c: RawClient): Promise<void> {
  for (let i = 0; i < 100 && callFrames(c).length < 2; i++) await c.sync();
}
const callFrames = (c: RawClient) => c.ofType('message').map((f) => String(f.payload)).filter((p) => p.endsWith('inv-1'));

describe('many devices: a live answer and a backlog not paged in yet', () => {
  for (const resends of [false, true]) {
    it(`the laptop logs in while the phone accepts (one turn${resends ? ', the laptop resending a message to Carol' : ''}): INVITE, then ACCEPT on the laptop`, async () => {
      const { s, hold, release, login } = await heldServer(200);
      const alice = await login('alice');
      const carol = await login('carol');
      const phone = await login('bob', 'phone');
      alice.send({ ...INVITE, rid: 1 }); // its ack waits for the phone's receipt, or the write-behind window
      await phone.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the phone');
      // The laptop comes (its invitation still held back by write-behind, so written as it logs in) in the turn the phone accepts.
      const laptop = await RawClient.open(s.handle.url);
      clients.push(laptop);
      const handled = s.handle.metrics().relayed;
      hold();
      // Nothing waits for a commit yet: its loggedIn goes at once, its backlog's pump waits for the write of the invitation.
      expect(await laptop.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), device: 'laptop' })).toMatchObject({ type: 'loggedIn' });
      if (resends) laptop.send({ type: 'sendC2C', rid: 7, to: 'carol', payload: 'hello carol', onlineUserOnly: false });
      await serverSees('its message handled', () => !resends || s.handle.metrics().relayed > handled);
      phone.send({ ...ACCEPT, rid: 99 });
      await serverSees('the accept handled', () => s.handle.metrics().relayed > handled + (resends ? 1 : 0));
      release();
      await alice.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept at Alice');
      if (resends) {
        await carol.next((f) => f.type === 'message' && f.payload === 'hello carol', 'the message at Carol');
        carol.send({ type: 'received', upTo: Number(carol.ofType('message').at(-1)?.seq) });
      }
      await s.clock.advance(400);
      await bothOn(laptop);
      expect(callFrames(laptop)).toEqual(['invite inv-1', 'accept inv-1']);
    });
  }
});
