/**
 * Many devices: an invitation sent again is the same invitation, not a new one. A client sends
 * again every request whose answer it has not had when its connection ends, and after a restart
 * (or past the resume grace) the server remembers no reply to answer it with: it takes the
 * invitation in anew. The answer ledger took it as the inviter inviting the user into the room
 * again, which clears the user's answers to the room's earlier invitations, and counted the
 * invitation itself among them: the answer that had gone to the caller was forgotten, and
 * another device of the callee entered the room.
 *
 * Found by the property runs over the embedded server (`EMBEDDED_PROPERTY_RUNS=400
 * PROPERTY_SEED=8121`): Dave's group call rings Alice's laptop while her phone is in a call;
 * the server restarts before Dave's invitation is acked (write-behind holds the ack for the
 * laptop's receipt); the phone, back first, answers busy, which goes (the laptop is not online);
 * Dave, back, sends his invitation again; the laptop, back, accept()s and enters: Dave heard
 * LINE_BUSY and then USER_ENTER from Alice.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { durableAnswers } from '../../server/answerJournal';
import { TurnCommit } from '../../server/commit';
import { systemClock } from '../../server/options';
import { RawClient, testServer, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

/** Dave's invitation of Alice into room 1002, as his client sends it (and sends again). */
const INVITE = {
  type: 'sendC2C',
  rid: 100, // out of the way of RawClient's own rids
  to: 'alice',
  payload: 'invite inv-4',
  onlineUserOnly: false,
  call: { inviteID: 'inv-4', roomID: 1002, invitees: ['alice'], timeout: 0 },
};
const answer = (kind: 'busy' | 'reject') => ({
  type: 'sendC2C',
  to: 'dave',
  payload: `${kind} inv-4`,
  onlineUserOnly: false,
  answer: { inviteID: 'inv-4', inviter: 'dave', kind },
});
/** Sends `frame` as request `rid` and lets the write-behind window pass (nobody confirms): its answer. */
async function acked(client: RawClient, frame: object, rid: number) {
  client.send({ ...frame, rid });
  await client.sync(); // handled: its window runs
  await (server as TestServer).clock.advance(200);
  await client.sync(); // a pong goes beside a held ack, not behind it: look for the answer among every frame
  return client.frames.find((f) => f.rid === rid);
}
const enter = (client: RawClient) => client.request({ type: 'roomEnter', roomID: 1002, audio: true, video: true });

/** Dave invites Alice (phone and laptop); both get it, neither confirms it, so write-behind holds Dave's ack. */
async function daveInvitesAlice() {
  server = await testServer({ multiDevice: true, writeBehindMs: 200 });
  const url = server.handle.url;
  const dave = await RawClient.login(url, 'dave');
  const phone = await RawClient.login(url, 'alice', { device: 'phone' });
  const laptop = await RawClient.login(url, 'alice', { device: 'laptop' });
  dave.send(INVITE);
  await phone.next((f) => f.type === 'message' && f.payload === 'invite inv-4', 'the invitation on the phone');
  await laptop.next((f) => f.type === 'message' && f.payload === 'invite inv-4', 'the invitation on the laptop');
  await dave.sync();
  expect(dave.frames.filter((f) => f.rid === INVITE.rid)).toEqual([]); // held: nobody confirmed it
  return { dave, phone, laptop };
}

/** The server restarts (a graceful close, as a deploy does); every connection ends. */
async function restart(clients: readonly RawClient[]): Promise<string> {
  const s = server as TestServer;
  await s.handle.close();
  await Promise.all(clients.map((c) => c.closed));
  return (await s.restart()).url;
}

describe('many devices: an invitation sent again after a restart', () => {
  it("the phone answers busy as it comes back first; Dave sends his invitation again; the laptop enters -> refused deviceInRoom: Dave hears LINE_BUSY only", async () => {
    const { dave, phone, laptop } = await daveInvitesAlice();
    const url = await restart([dave, phone, laptop]);
    const phoneBack = await RawClient.login(url, 'alice', { device: 'phone' });
    // The only device of Alice online: her busy answer goes.
    expect(await acked(phoneBack, answer('busy'), 100)).toMatchObject({ type: 'ack' });
    const daveBack = await RawClient.login(url, 'dave');
    expect(await acked(daveBack, INVITE, INVITE.rid)).toMatchObject({ type: 'ack' }); // the same request: its ack never came
    expect(daveBack.ofType('message').map((f) => f.payload)).toEqual(['busy inv-4']);
    const laptopBack = await RawClient.login(url, 'alice', { device: 'laptop' });
    expect(await enter(laptopBack)).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    await daveBack.sync();
    expect(daveBack.ofType('message').map((f) => f.payload)).toEqual(['busy inv-4']);
  });

  it("the phone reject()s before the restart; Dave sends his invitation again; the laptop enters -> refused deviceInRoom", async () => {
    const { dave, phone, laptop } = await daveInvitesAlice();
    // Its ack, and Dave's copy (behind his held ack), wait for the window: the ledger has it once it is handled.
    phone.send({ ...answer('reject'), rid: 100 });
    await phone.sync();
    const url = await restart([dave, phone, laptop]);
    const daveBack = await RawClient.login(url, 'dave');
    expect(await acked(daveBack, INVITE, INVITE.rid)).toMatchObject({ type: 'ack' });
    const laptopBack = await RawClient.login(url, 'alice', { device: 'laptop' });
    expect(await enter(laptopBack)).toMatchObject({ type: 'error', code: 'deviceInRoom' });
  });
});

describe('the answer ledger: the same invitation taken in again', () => {
  const reject = { inviteID: 'inv-4', inviter: 'dave', kind: 'reject' } as const;
  it('Alice reject()s on her phone; Dave\'s invitation is taken in again (held in memory, or only in the journal after a restart) -> her laptop stays out; a new invitation to the room lets it in', () => {
    const db = new Database(':memory:');
    const commit = new TurnCommit((w) => db.transaction(() => w.forEach((x) => x()))(), () => undefined, (e) => { throw e; });
    const open = () => durableAnswers(db, commit, { clock: { ...systemClock, now: () => 1_000_000 }, offlineTtlMs: 60_000, logger: { info() {}, warn() {}, error() {} } });
    const ledger = open();
    ledger.invited('dave', 'inv-4', 1002, ['alice']);
    expect(ledger.pass('alice', 'phone', reject, ['phone', 'laptop'])).toBe(true);
    ledger.invited('dave', 'inv-4', 1002, ['alice']);
    const held = ledger.enter('alice', 'laptop', 1002, false);
    commit.flush();
    const restarted = open();
    restarted.invited('dave', 'inv-4', 1002, ['alice']); // Alice not recalled yet: her rows are the journal's
    commit.flush();
    const journalled = open().enter('alice', 'laptop', 1002, false);
    restarted.invited('dave', 'inv-5', 1002, ['alice']);
    commit.flush();
    expect({ held, journalled, reinvited: open().enter('alice', 'laptop', 1002, false) }).toEqual({ held: false, journalled: false, reinvited: true });
    db.close();
  });
});
