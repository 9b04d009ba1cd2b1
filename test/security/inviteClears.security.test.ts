/**
 * Attack: "one frame, ten thousand statements" (many devices, review of 2026-12-06). An invitation into a room
 * clears its invitees' answers to the room's earlier invitations (`AnswerLedger.invited`). For an invitee the
 * ledger does not hold in memory (offline, or a user who never logged in) it could not know which she had, and
 * queued a delete for each earlier invitation whether or not a row held it: invitees times earlier invitations.
 * Mallory fills her room with an invitation for each of 97 users who are offline (a room admits 100), then invites
 * them all at once through a group: that one frame ran 9,417 SQLite statements, 15 to 39 ms of the server's thread
 * (2 cores, load 7), and each further invitation into the room ran 101 where an ordinary one runs 5. Now the journal
 * looks up each such invitee's answers once and deletes those that exist: an invitation costs what an ordinary one
 * does, and one statement per invitee more at most.
 */
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

/** Every statement better-sqlite3 runs in this process (the server's, here), counted as it runs. */
const statement = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
const METHODS = ['run', 'get', 'all', 'iterate'] as const;
const originals = new Map(METHODS.map((m) => [m, statement[m]!] as const));
let statements = 0;
beforeAll(() => {
  for (const [m, original] of originals) {
    statement[m] = function (this: unknown, ...args: unknown[]) {
      statements++;
      return original.apply(this, args);
    };
  }
});
afterAll(() => {
  for (const [m, original] of originals) statement[m] = original;
});

/** A room admits 100 users: Mallory and 97 others, and the group's mark. */
const OTHERS = 97;

describe('an invitation clears the answers that exist, not one per earlier invitation and invitee', () => {
  it(`Mallory invites ${OTHERS} offline users one by one into room 7, then again, then all of them through a group -> each costs what an invitation into a fresh room does, and one statement per invitee more at most`, async () => {
    server = await testServer({ multiDevice: true });
    const members = Array.from({ length: OTHERS }, (_, i) => `u${i}`);
    server.handle.createGroup('hall', ['mallory', ...members]);
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    /** The statements the server ran for one frame: its ack waits for the turn's commit. */
    const cost = async (frame: Record<string, unknown>) => {
      const before = statements;
      expect(await mallory.request(frame)).toMatchObject({ type: 'ack' });
      return statements - before;
    };
    const c2c = (to: string, roomID: number, inviteID: string) => ({ type: 'sendC2C', to, payload: 'invite', onlineUserOnly: true, call: { inviteID, roomID, invitees: [to], timeout: 600 } });
    const group = (roomID: number, inviteID: string) => ({ type: 'sendGroup', groupID: 'hall', payload: 'invite', onlineUserOnly: true, call: { inviteID, roomID, invitees: members, timeout: 600 } });

    const ordinary = { c2c: await cost(c2c('u0', 8, 'fresh-1')), group: await cost(group(9, 'fresh-2')) };
    for (const [i, to] of members.entries()) await cost(c2c(to, 7, `one-${i}`));
    const attack = { c2c: await cost(c2c('u0', 7, 'again')), group: await cost(group(7, 'all')) };

    // Before: 101 and 9,417 (97 earlier invitations, a delete for each per invitee), for 5 and 105; now 5 and 105.
    expect(attack.c2c).toBeLessThanOrEqual(ordinary.c2c + 1);
    expect(attack.group).toBeLessThanOrEqual(ordinary.group + OTHERS);
    expect(mallory.ofType('error')).toEqual([]);
    mallory.terminate();
  });
});
