/**
 * A room claim (or an invitation that would make a room) whose commit failed is answered
 * `unavailable` ("could not store this: try again"), and leaves nothing behind: the room is free for
 * another call and the claimer's quota untouched, unless the claimer entered it in the same turn (found by review: the grant stayed in memory for
 * `roomIdleMs`, refusing the room to others and counting against its owner). A commit is made to fail
 * through a second connection to the database (a trigger), as in writeBehindFailures.test.ts.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, sendTogether, testServer, tencentUserSig, type TestServer } from './support';

const FAIL = "CREATE TRIGGER fail BEFORE INSERT ON room_grants BEGIN SELECT RAISE(ABORT, 'disk full'); END;";

describe('a room grant whose commit failed', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });
  const login = async (userID: string) => {
    const c = await RawClient.open(server.handle.url);
    clients.push(c);
    expect((await c.request({ type: 'login', userID, userSig: tencentUserSig(userID) })).type).toBe('loggedIn');
    return c;
  };
  const answer = (f: { type: unknown; code?: unknown }) => (f.type === 'error' ? f.code : f.type);

  it("Alice's two claims fail (a full disk), then the disk is back -> Bob may claim her first room, Alice a third (her quota is 2)", async () => {
    server = await testServer({ sharedDatabase: true, limits: { maxRoomsPerUser: 2 } });
    const alice = await login('alice');
    const bob = await login('bob');
    const db = new Database(server.dbPath);
    db.exec(FAIL);
    expect(answer(await alice.request({ type: 'roomClaim', roomID: 101 }))).toBe('unavailable');
    expect(answer(await alice.request({ type: 'roomClaim', roomID: 102 }))).toBe('unavailable');
    db.exec('DROP TRIGGER fail');
    db.close();
    expect(answer(await bob.request({ type: 'roomClaim', roomID: 101 }))).toBe('ack');
    expect(answer(await alice.request({ type: 'roomClaim', roomID: 103 }))).toBe('ack');
    // A room whose grant was stored stays its owner's: Alice's claim of Bob's room is refused.
    expect(answer(await alice.request({ type: 'roomClaim', roomID: 101 }))).toBe('roomInUse');
  });

  // The dial writes its enter right behind its claim: one turn, one failed commit; Alice sits in the room.
  it.each([0, 50])('write-behind %i ms: the claim fails, the enter behind it in the same turn goes in -> the room stays hers: Bob may not claim or enter it', async (writeBehindMs) => {
    server = await testServer({ sharedDatabase: true, writeBehindMs });
    const alice = await login('alice');
    const bob = await login('bob');
    const db = new Database(server.dbPath);
    db.exec(FAIL);
    sendTogether(alice, [
      { type: 'roomClaim', roomID: 101, rid: 10 },
      { type: 'roomEnter', roomID: 101, audio: true, video: false, rid: 11 },
    ]);
    expect([answer(await alice.next((f) => f.rid === 10)), answer(await alice.next((f) => f.rid === 11))]).toEqual(['unavailable', 'roomInfo']);
    db.exec('DROP TRIGGER fail');
    db.close();
    expect(answer(await bob.request({ type: 'roomClaim', roomID: 101 }))).toBe('roomInUse');
    expect(answer(await bob.request({ type: 'roomEnter', roomID: 101, audio: true, video: false }))).toBe('notInvited');
  });
});
