/**
 * Where a login's backlog ends (`server/backlogMarks.ts`): a client whose `login` asks for `backlog`
 * is told, by a `backlog` frame after them, that the copies stored for it were all handed (and, many
 * devices, the answers its user's other devices gave, recalled for a new session); with its window of
 * unconfirmed copies full, `more: true`, so that it confirms what it holds and gets the rest. A login
 * that does not ask hears nothing of it (an older client). A receipt may keep some copies unconfirmed
 * (`except`, `loggedIn` says `partialReceipts`: the invitations a client holds until its backlog's
 * end): they stay in the window and stored, and the paging goes on past them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { failingReads } from '../support/failingStore';
import { RawClient, tencentUserSig, testServer, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});
const url = () => (server as TestServer).handle.url;

/** Logs in asking where the backlog ends (`backlog`), or not. */
async function login(userID: string, options: { readonly backlog?: boolean; readonly device?: string } = {}) {
  const client = await RawClient.open(url());
  const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID), ...(options.backlog === false ? {} : { backlog: true }), ...(options.device ? { device: options.device } : {}) });
  return { client, reply };
}
const say = (from: RawClient, to: string, payload: string) => from.request({ type: 'sendC2C', to, payload, onlineUserOnly: false });
/** What came after the login, as `message payload` and `backlog more`, once every frame sent before a ping is in. */
const heard = async (c: RawClient) => {
  await c.sync();
  return c.frames.flatMap((f) => (f.type === 'message' ? [`message ${String(f.payload)}`] : f.type === 'backlog' ? [`backlog ${String(f.more)}`] : []));
};

describe('backlog marks', () => {
  it('Bob logs in asking: loggedIn says backlog, his two stored messages come, then backlog (more: false); a live message after it, unmarked', async () => {
    server = await testServer();
    const { client: alice } = await login('alice', { backlog: false });
    await say(alice, 'bob', 'one');
    await say(alice, 'bob', 'two');
    const { client: bob, reply } = await login('bob');
    expect(reply).toMatchObject({ type: 'loggedIn', backlog: true });
    await bob.next((f) => f.type === 'backlog', 'the mark');
    await say(alice, 'bob', 'three');
    await bob.next((f) => f.type === 'message' && f.payload === 'three', 'the live one');
    expect(await heard(bob)).toEqual(['message one', 'message two', 'backlog false', 'message three']);
  });

  it('nothing stored: backlog (more: false) at once; a login that does not ask: no mark, and loggedIn says none', async () => {
    server = await testServer();
    const { client: bob } = await login('bob');
    expect(await heard(bob)).toEqual(['backlog false']);
    const { client: carol, reply } = await login('carol', { backlog: false });
    expect(reply).not.toHaveProperty('backlog');
    expect(await heard(carol)).toEqual([]);
  });

  it('a window of 1 and three stored: each comes with backlog (more: true) until Bob confirms it; the end after the last', async () => {
    server = await testServer({ limits: { maxUnconfirmed: 1 } });
    const { client: alice } = await login('alice', { backlog: false });
    for (const payload of ['one', 'two', 'three']) await say(alice, 'bob', payload);
    const { client: bob } = await login('bob');
    for (let seq = 1; seq <= 3; seq++) {
      await bob.next((f) => f.type === 'backlog', `mark ${seq}`);
      bob.send({ type: 'received', upTo: seq });
    }
    await bob.next((f) => f.type === 'backlog' && f.more === false, 'the end');
    expect(await heard(bob)).toEqual(['message one', 'backlog true', 'message two', 'backlog true', 'message three', 'backlog true', 'backlog false']);
  });

  it("a window of 2 and three stored of 20 KB: the first page passes the socket's high-water mark, and its drain runs the paging again on the window still full -> one backlog (more: true) for it, not two; the rest after Bob confirms", async () => {
    server = await testServer({ limits: { maxUnconfirmed: 2 } });
    const { client: alice } = await login('alice', { backlog: false });
    const big = (name: string) => name.padEnd(20_000, '.');
    for (const name of ['one', 'two', 'three']) await say(alice, 'bob', big(name));
    const { client: bob } = await login('bob');
    await bob.next((f) => f.type === 'backlog', 'the first mark');
    await bob.sync(); // the drain of the page's writes came before this ping was read, and paged again before its pong
    bob.send({ type: 'received', upTo: 2 });
    await bob.next((f) => f.type === 'backlog' && f.more === false, 'the end');
    const short = (await heard(bob)).map((h) => h.replace(/\.+$/, ''));
    expect(short).toEqual(['message one', 'message two', 'backlog true', 'message three', 'backlog false']);
  });

  it('many devices: the phone logs in, gets the invitation, rejects it confirming nothing; the laptop logs in as a new session -> the invitation, the REJECT recalled, then the end', async () => {
    server = await testServer({ multiDevice: true });
    const { client: alice } = await login('alice', { backlog: false });
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite inv-1', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 0 } });
    const { client: phone } = await login('bob', { backlog: false, device: 'phone' });
    await phone.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the phone');
    await phone.request({ type: 'sendC2C', to: 'alice', payload: 'reject inv-1', onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'reject' } });
    const { client: laptop } = await login('bob', { device: 'laptop' });
    await laptop.next((f) => f.type === 'backlog', 'the mark');
    expect(await heard(laptop)).toEqual(['message invite inv-1', 'message reject inv-1', 'backlog false']);
  });

  it("many devices: the answers' store fails its reads as the laptop logs in as a new session -> none recalled, but the mark comes all the same (else its client held its backlog for ever)", async () => {
    server = await testServer({ multiDevice: true, sharedDatabase: true });
    const { client: alice } = await login('alice', { backlog: false });
    await say(alice, 'bob', 'one');
    const heal = failingReads(server.dbPath, 'answer_verdicts');
    const { client: laptop } = await login('bob', { device: 'laptop' });
    await laptop.next((f) => f.type === 'backlog', 'the mark');
    heal();
    expect(await heard(laptop)).toEqual(['message one', 'backlog false']);
  });

  it('a window of 2 and four stored: Bob confirms each page but keeps the first copy (except) -> the paging goes on past it, one copy a page, to the end; it stays stored, and comes again at his next login', async () => {
    server = await testServer({ limits: { maxUnconfirmed: 2 } });
    const { client: alice } = await login('alice', { backlog: false });
    for (const payload of ['one', 'two', 'three', 'four']) await say(alice, 'bob', payload);
    const { client: bob, reply } = await login('bob');
    expect(reply).toMatchObject({ type: 'loggedIn', backlog: true, partialReceipts: true });
    for (let seq = 2; seq <= 4; seq++) {
      await bob.next((f) => f.type === 'backlog', `mark ${seq}`);
      bob.send({ type: 'received', upTo: seq, except: [1] });
    }
    await bob.next((f) => f.type === 'backlog' && f.more === false, 'the end');
    expect(await heard(bob)).toEqual(['message one', 'message two', 'backlog true', 'message three', 'backlog true', 'message four', 'backlog true', 'backlog false']);
    expect(server.handle.metrics()).toMatchObject({ storedNow: 1 });
    await bob.request({ type: 'logout' });
    bob.close();
    const { client: again } = await login('bob');
    await again.next((f) => f.type === 'backlog', 'the mark');
    expect(await heard(again)).toEqual(['message one', 'backlog false']);
    const one = again.frames.find((f) => f.type === 'message');
    again.send({ type: 'received', upTo: one?.seq });
    await again.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0 });
  });
});
