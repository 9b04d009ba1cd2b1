/**
 * Many devices: a device that logs in as a new session (its session ended past the resume grace,
 * or the server restarted) is handed the answers its user's other devices gave meanwhile to
 * invitations still filed, as a live device is handed them: after its stored copies, never its own,
 * never a busy one (`Mailer.recallAnswers`). Before 2026-12-06 such a device was told nothing and
 * rang on until the invitation's timeout, for good with none (README, Known limits).
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SAID_MAX_BYTES } from '../../server/answerJournal';
import { RawClient, testServer, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

const url = () => (server as TestServer).handle.url;
const invite = (alice: RawClient, inviteID: string, roomID = 42) =>
  alice.request({ type: 'sendC2C', to: 'bob', payload: `invite ${inviteID}`, onlineUserOnly: false, call: { inviteID, roomID, invitees: ['bob'], timeout: 0 } });
const answer = (device: RawClient, kind: 'accept' | 'reject' | 'busy', inviteID = 'inv-1') =>
  device.request({ type: 'sendC2C', to: 'alice', payload: `${kind} ${inviteID}`, onlineUserOnly: false, answer: { inviteID, inviter: 'alice', kind } });
/** Logs `device` out: its session ends at once (as at the end of its resume grace). */
const logout = async (device: RawClient) => expect(await device.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
/** What `device` was handed, once every frame sent before a ping is in. */
const handed = async (device: RawClient) => {
  await device.sync();
  return device.ofType('message').map((m) => `${String(m.from)}:${String(m.payload)}`);
};
/** Waits for the message `payload` on `device`; then what it was handed. */
const handedUpTo = async (device: RawClient, payload: string) => {
  await device.next((f) => f.type === 'message' && f.payload === payload, `${payload} on the device`);
  return handed(device);
};
/** A server with many devices, Alice, and Bob on the devices named. */
async function bobOn(...devices: string[]) {
  server = await testServer({ multiDevice: true });
  const alice = await RawClient.login(url(), 'alice');
  const bob: RawClient[] = [];
  for (const device of devices) bob.push(await RawClient.login(url(), 'bob', { device }));
  return { alice, bob };
}

describe('many devices: answers handed to a new session', () => {
  it('the laptop logs out; the phone accept()s; the laptop logs in anew -> the ACCEPT, with the id its live copy has; the phone logs in anew -> not its own', async () => {
    const { alice, bob: [phone, laptop, watch] } = await bobOn('phone', 'laptop', 'watch');
    if (!phone || !laptop || !watch) throw new Error('no device');
    await invite(alice, 'inv-1');
    await logout(laptop);
    expect(await answer(phone, 'accept')).toMatchObject({ type: 'ack' });
    const live = await watch.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept on the watch, live');
    const laptopBack = await RawClient.login(url(), 'bob', { device: 'laptop' });
    const recalled = await laptopBack.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept on the laptop, back');
    expect(recalled).toMatchObject({ id: live.id, from: 'bob', sentAt: live.sentAt });
    await logout(phone);
    const phoneBack = await RawClient.login(url(), 'bob', { device: 'phone' });
    expect(await handed(phoneBack)).toEqual(['alice:invite inv-1']); // stored: nobody confirmed it
  });

  it('Bob has no device online when Alice invites; the phone logs in, gets it, reject()s, confirming nothing; the laptop logs in -> the invitation, then the REJECT', async () => {
    const { alice } = await bobOn();
    await invite(alice, 'inv-1');
    const phone = await RawClient.login(url(), 'bob', { device: 'phone' });
    expect(await handedUpTo(phone, 'invite inv-1')).toEqual(['alice:invite inv-1']);
    expect(await answer(phone, 'reject')).toMatchObject({ type: 'ack' });
    const laptop = await RawClient.login(url(), 'bob', { device: 'laptop' });
    expect(await handedUpTo(laptop, 'reject inv-1')).toEqual(['alice:invite inv-1', 'bob:reject inv-1']);
  });

  it('the phone reject()s while the laptop is logged out; the server restarts; the laptop logs in -> the REJECT', async () => {
    const { alice, bob: [phone, laptop] } = await bobOn('phone', 'laptop');
    if (!phone || !laptop) throw new Error('no device');
    await invite(alice, 'inv-1');
    await logout(laptop);
    expect(await answer(phone, 'reject')).toMatchObject({ type: 'ack' });
    await (server as TestServer).handle.close();
    await Promise.all([alice.closed, phone.closed]);
    await (server as TestServer).restart();
    const laptopBack = await RawClient.login(url(), 'bob', { device: 'laptop' });
    expect(await handedUpTo(laptopBack, 'reject inv-1')).toEqual(['alice:invite inv-1', 'bob:reject inv-1']);
  });

  it('what is not handed: a busy answer; an answer to an invitation a newer one into its room replaced', async () => {
    const { alice, bob: [phone] } = await bobOn('phone');
    if (!phone) throw new Error('no device');
    await invite(alice, 'inv-1');
    // The only device of Bob online: its busy answer goes to Alice, and is not kept for the others.
    expect(await answer(phone, 'busy')).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'message' && f.payload === 'busy inv-1', 'the busy at Alice');
    expect(await handed(await RawClient.login(url(), 'bob', { device: 'laptop' }))).toEqual(['alice:invite inv-1']); // stored: nobody confirmed it
    await invite(alice, 'inv-2');
    expect(await answer(phone, 'reject', 'inv-2')).toMatchObject({ type: 'ack' });
    await invite(alice, 'inv-3'); // into the same room: the answer to inv-2 counts no more
    const tablet = await RawClient.login(url(), 'bob', { device: 'tablet' });
    expect(await handedUpTo(tablet, 'invite inv-3')).toEqual(['alice:invite inv-1', 'alice:invite inv-2', 'alice:invite inv-3']);
  });
});

/** The bytes of the answers' messages the journal keeps for `userID`, as the server wrote them (it is closed first: it holds the file). */
async function keptBytes(userID: string): Promise<number> {
  await (server as TestServer).handle.close();
  const db = new Database((server as TestServer).dbPath, { readonly: true });
  try {
    return db.prepare<[string], { n: number | null }>('SELECT sum(length(CAST(said AS BLOB))) AS n FROM answer_verdicts WHERE user_id = ?').get(userID)?.n ?? 0;
  } finally {
    db.close();
  }
}

describe('many devices: what an answering user can make the journal keep', () => {
  const wide = { perSecond: 1e6, burst: 1e6 };
  it('Mallory answers 32 invitations nobody made, 8,000 bytes each -> none of those messages kept (no new session is ever handed them)', async () => {
    server = await testServer({ multiDevice: true, limits: { userRate: wide, byteRate: wide } });
    const mallory = await RawClient.login(url(), 'mallory', { device: 'phone' });
    for (let i = 0; i < 32; i++) {
      const reply = await mallory.request({ type: 'sendC2C', to: 'alice', payload: 'x'.repeat(8000), onlineUserOnly: true, answer: { inviteID: `none-${i}`, inviter: 'alice', kind: 'reject' } });
      expect(reply).toMatchObject({ type: 'ack' });
    }
    expect(await keptBytes('mallory')).toBe(0);
  });

  it("an answer's message kept is at most SAID_MAX_BYTES as stored, not only its payload (8,000 control characters are 48,000 bytes escaped)", async () => {
    const { alice, bob: [phone] } = await bobOn('phone');
    if (!phone) throw new Error('no device');
    await invite(alice, 'inv-1');
    await invite(alice, 'inv-2', 43);
    const reply = await phone.request({ type: 'sendC2C', to: 'alice', payload: '\u0001'.repeat(8000), onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'reject' } });
    expect(reply).toMatchObject({ type: 'ack' });
    expect(await answer(phone, 'reject', 'inv-2')).toMatchObject({ type: 'ack' }); // an honest one is kept
    const kept = await keptBytes('bob');
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(SAID_MAX_BYTES);
  });
});
