/**
 * Many devices while the server runs: the answer ledger forgets a user once their last session
 * ends (`AnswerLedger.forget`, `server/hub.ts`'s endSession), while a restart keeps it (its rows
 * are read back, `server/answerJournal.ts`). A device away longer than the resume grace logs in
 * as a new session, still ringing: before 2026-12-06 it was not told of its user's answer (README,
 * Known limits), and its accept, after a long enough outage with no other device left, let it in.
 * Now the new session is handed its user's answers to invitations still filed (`Mailer.recallAnswers`),
 * and it stops ringing as a live device does.
 *
 * Found reviewing the durable ledger: the README's "once one device declined no other enters the
 * room" held across a restart but not across the end of the user's last session. Fixed: the
 * ledger forgets the user in memory only; the journal keeps their answers and the ledger recalls
 * them when a device of theirs answers or enters again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { deviceOf, makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';

describe('many devices over the embedded server, a device away past the grace', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld({ server: { multiDevice: true, idleTimeoutMs: 15_000, roomGraceMs: 1_000 } });
  });
  afterEach(() => world.dispose());
  const device = (userID: string, deviceID: string) => deviceOf(world, userID, deviceID);

  it('Bob reject() on his phone while his laptop hears nothing, then logout() on the phone; the laptop is away past the grace and logs in again -> it stops ringing as declined (CALL_END rejected, as live): Alice hears one REJECT', async () => {
    const alice = await world.user('alice');
    const [phone, laptop] = [await device('bob', 'phone'), await device('bob', 'laptop')];
    await world.user('carol');
    await alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2, timeout: 300 });
    await world.advance(1_000);
    phone.take();
    expect(laptop.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true })]);
    alice.take();
    // The laptop's connection is half-open (it hears nothing), so the phone's reject does not reach it.
    const laptopSocket = world.net.clientSockets.at(-2);
    if (!laptopSocket) throw new Error('no socket');
    world.net.silent.add(laptopSocket);
    void phone.calling.reject();
    await world.advance(1_000);
    expect(alice.take()).toEqual([ev.rejected('bob')]);
    await phone.calling.logout();
    // The server drops the silent socket at its idle timeout and ends the session at the grace's end,
    // before the laptop's keepalive gives up on it: it logs in again as a new session, and is told.
    await world.advance(40_000);
    expect(laptop.take()).toEqual([ev.notReady(), ev.ready(), ev.end('alice', 'rejected', 0)]);
    expect(laptop.calling.getSnapshot().call).toBeNull();
    await world.advance(3_000);
    // (Alice's line drops twice meanwhile: this world's idle timeout is short.)
    expect(alice.take()).toEqual([ev.notReady(), ev.ready(), ev.notReady(), ev.ready()]);
  });
});
