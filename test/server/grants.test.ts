/**
 * Room grants on their own (SQLite in memory, explicit times): who owns a room, who may use it,
 * when a grant ends, the quotas, and what survives a restart.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DELIBERATE_LINGER_MS, SqliteRoomGrants } from '../../server/grants';
import { DEFAULT_LIMITS } from '../../server/limits';

const limits = { ...DEFAULT_LIMITS, maxRoomsPerUser: 3, maxRooms: 5, maxRoomUsers: 4, roomIdleMs: 60_000 };

/** Grants whose writes run at once (no turn to wait for). */
function grants(db = new Database(':memory:'), now = 0, bounds = limits) {
  return new SqliteRoomGrants(db, bounds, (write) => write(), now);
}

const code = (refusal: { refused: string } | null) => refusal?.refused ?? 'ok';

describe('room grants', () => {
  it('the first claim owns a room; others are refused; whoever is allowed may invite more', () => {
    const g = grants();
    expect(code(g.claim('alice', 7, 0))).toBe('ok');
    expect(code(g.claim('mallory', 7, 0))).toBe('roomInUse');
    expect(code(g.grant('mallory', 7, ['mallory'], 30_000, 0))).toBe('roomInUse');
    expect(code(g.grant('alice', 7, ['bob'], 30_000, 0))).toBe('ok');
    expect(code(g.grant('bob', 7, ['carol'], 30_000, 0))).toBe('ok'); // inviting more into a call in progress
    expect(['alice', 'bob', 'carol', 'mallory'].map((u) => g.allows(7, u, 1))).toEqual([true, true, true, false]);
  });

  it('a call made through an IM group admits a member of that group who joins it (joinInGroupCall: the group named), whoever joined the group later; nobody else; and still after a restart', () => {
    const db = new Database(':memory:');
    const members = new Map([['team', new Set(['alice', 'bob', 'carol'])]]);
    const isMember = (groupID: string, userID: string) => members.get(groupID)?.has(userID) ?? false;
    const g = new SqliteRoomGrants(db, limits, (write) => write(), 0, isMember);
    expect(code(g.grant('alice', 7, ['bob'], 30_000, 0, 'team'))).toBe('ok');
    expect(code(g.grant('alice', 8, ['bob'], 30_000, 0))).toBe('ok'); // C2C: no group
    // Invited: without naming the group. Not invited: only by naming the call's group, as its member.
    expect(['alice', 'bob', 'carol', 'dave'].map((u) => g.allows(7, u, 1))).toEqual([true, true, false, false]);
    expect(['carol', 'dave', 'group:team'].map((u) => g.allows(7, u, 1, 'team'))).toEqual([true, false, false]);
    members.set('other', new Set(['carol']));
    expect(g.allows(7, 'carol', 1, 'other')).toBe(false); // not the group the call was made through
    expect(g.allows(8, 'carol', 1, 'team')).toBe(false);
    members.get('team')?.add('dave'); // dave joins the group during the call
    expect(g.allows(7, 'dave', 1, 'team')).toBe(true);
    const after = new SqliteRoomGrants(db, limits, (write) => write(), 2, isMember);
    expect(['carol', 'erin'].map((u) => after.allows(7, u, 3, 'team'))).toEqual([true, false]);
    // Without a membership check (the default) the group admits nobody.
    expect(grants(db, 2).allows(7, 'carol', 3, 'team')).toBe(false);
  });

  it('a grant lasts while its invitations ring and while the room is occupied, then roomIdleMs after a drop; at once after a deliberate exit', () => {
    const g = grants();
    g.grant('alice', 7, ['bob'], 30_000, 0);
    expect(g.allows(7, 'bob', 59_999)).toBe(true); // empty since 0, idle for less than 60 s
    expect(g.allows(7, 'bob', 60_000)).toBe(false);
    g.grant('alice', 8, ['bob'], 30_000, 0);
    g.occupied(8, 'alice');
    expect(g.allows(8, 'bob', 10 * 60_000)).toBe(true);
    g.vacated(8, 10 * 60_000); // a lost connection: its members may come back
    expect(g.allows(8, 'bob', 11 * 60_000 - 1)).toBe(true);
    expect(g.allows(8, 'bob', 11 * 60_000)).toBe(false);
    g.grant('alice', 9, ['bob'], 30_000, 0);
    g.occupied(9, 'alice');
    g.vacated(9, 20_000, true); // they hung up; the invitation would ring 10 s more, it keeps the room 5 s
    expect(g.allows(9, 'bob', 20_000 + DELIBERATE_LINGER_MS - 1)).toBe(true);
    expect(g.allows(9, 'bob', 20_000 + DELIBERATE_LINGER_MS)).toBe(false);
    g.grant('alice', 10, ['bob'], 30_000, 0);
    g.occupied(10, 'alice');
    g.vacated(10, 28_000, true); // less ring time left than the linger: the ring time decides
    expect(g.allows(10, 'bob', 29_999)).toBe(true);
    expect(g.allows(10, 'bob', 30_000)).toBe(false);
    expect(g.size).toBe(0);
  });

  it('short calls in a row never run a user out of rooms: a room left on purpose stops counting against its owner', () => {
    const g = grants(undefined, 0, { ...limits, maxRooms: 100 }); // lingering rooms still count in all
    for (let call = 0; call < 20; call++) {
      const at = call * 50; // a 20 ms call every 50 ms, each invitation ringing for a day
      expect(code(g.grant('alice', 100 + call, ['bob'], at + 86_400_000, at))).toBe('ok');
      g.occupied(100 + call, 'alice');
      g.vacated(100 + call, at + 20, true);
    }
    expect(g.allows(119, 'bob', 19 * 50 + 21)).toBe(true); // each still admits its invitees for the linger
    expect(code(g.claim('mallory', 119, 19 * 50 + 21))).toBe('roomInUse');
  });

  it('quotas: rooms per owner, rooms in all, users per room', () => {
    const g = grants();
    expect([1, 2, 3, 4].map((room) => code(g.claim('alice', room, 0)))).toEqual(['ok', 'ok', 'ok', 'quotaExceeded']);
    expect([5, 6, 7].map((room) => code(g.claim('bob', room, 0)))).toEqual(['ok', 'ok', 'quotaExceeded']); // 5 in all
    expect(code(g.grant('alice', 1, ['b', 'c', 'd', 'e'], 0, 0))).toBe('quotaExceeded'); // alice + 4 > 4
    expect(code(g.grant('alice', 1, ['b', 'c', 'd'], 0, 0))).toBe('ok');
    expect(code(g.claim('carol', 8, 60_000))).toBe('ok'); // the old claims expired meanwhile
  });

  it('grants survive a restart, each with roomIdleMs for its call to come back', () => {
    const db = new Database(':memory:');
    const before = grants(db, 0);
    before.grant('alice', 7, ['bob'], 30_000, 0);
    before.occupied(7, 'alice');
    const after = grants(db, 3_600_000);
    expect(['alice', 'bob', 'mallory'].map((u) => after.allows(7, u, 3_600_000))).toEqual([true, true, false]);
    expect(code(after.claim('mallory', 7, 3_600_000))).toBe('roomInUse');
    expect(after.allows(7, 'bob', 3_660_000)).toBe(false);
    expect(code(grants(db, 3_700_000).claim('mallory', 7, 3_700_000))).toBe('ok');
  });

  it('squatting: a room left on purpose and then invited into again counts against its owner again, so lingering keeps no room outside the quota', () => {
    const g = grants(undefined, 0, { ...limits, maxRooms: 100 });
    const answers: string[] = [];
    for (let room = 1; room <= 5; room++) {
      const at = room * 10;
      answers.push(code(g.grant('mallory', room, ['carol'], at + 30_000, at)));
      g.occupied(room, 'mallory');
      g.vacated(room, at + 1, true); // hung up: lingering 5 s, it stops counting
      answers.push(code(g.grant('mallory', room, ['carol'], 86_400_000, at + 2))); // a renewal, ringing for a day
    }
    expect(answers).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'quotaExceeded', 'quotaExceeded', 'quotaExceeded', 'quotaExceeded']);
    expect([1, 2, 3, 4].map((room) => g.allows(room, 'carol', 60_000))).toEqual([true, true, true, false]); // renewed for a day; the 4th never was
    expect(code(g.claim('mallory', 50, 60_000))).toBe('quotaExceeded'); // still 3 held, for a day
    expect(code(g.claim('mallory', 50, 86_400_000 + 60_000))).toBe('ok');
  });

  it('a lingering room counts again only by its owner: its entry, within the quota; an invitee entering (an accept that crossed the hang-up) does not make it count', () => {
    const g = grants(undefined, 0, { ...limits, maxRooms: 100 });
    for (const room of [1, 2, 3]) {
      g.grant('alice', room, ['bob'], 60_000, 0);
      g.occupied(room, 'alice');
      g.vacated(room, 10, true);
    }
    expect(code(g.claim('alice', 4, 20))).toBe('ok'); // three lingering rooms do not count
    expect(code(g.mayOccupy(1, 'bob', 20))).toBe('ok');
    g.occupied(1, 'bob'); // an accept that crossed the hang-up
    g.occupied(2, 'bob');
    expect(code(g.claim('alice', 5, 30))).toBe('ok'); // 4 and 5
    expect(code(g.mayOccupy(3, 'alice', 30))).toBe('ok'); // the third of three
    g.occupied(3, 'alice');
    g.vacated(2, 40); // bob's connection lost in room 2: still not alice's to count
    expect(code(g.claim('alice', 6, 50))).toBe('quotaExceeded'); // 3, 4 and 5
    expect(code(g.mayOccupy(1, 'alice', 50))).toBe('quotaExceeded'); // alice coming back to room 1 would be a fourth
    expect(g.allows(1, 'bob', 50)).toBe(true); // occupied by bob, it lasts while he is in it
    // Room 2 emptied by bob's lost connection: over with its linger, not kept roomIdleMs (again and again) for nobody's count.
    expect(g.allows(2, 'bob', 40 + DELIBERATE_LINGER_MS)).toBe(false);
    g.vacated(1, 60); // the same for room 1
    expect(g.allows(1, 'bob', 60 + DELIBERATE_LINGER_MS)).toBe(false);
  });

  it('another member\'s invitation adds its invitees but keeps the owner\'s room no longer, nor makes a lingering one count (a callee cannot hold its caller\'s rooms)', () => {
    const g = grants(undefined, 0, { ...limits, maxRooms: 100 });
    const day = 86_400_000;
    for (const room of [1, 2, 3]) {
      expect(code(g.grant('alice', room, ['mallory'], 30_000, 0))).toBe('ok');
      g.occupied(room, 'alice');
      g.vacated(room, 10, true); // alice hung up: lingering
      expect(code(g.grant('mallory', room, ['ghost'], day, 20))).toBe('ok'); // within the linger, for a day
    }
    expect(g.allows(1, 'ghost', 30)).toBe(true); // its invitee is admitted, for what is left of the room
    expect([1, 2, 3].map((room) => code(g.claim('alice', 10 + room, 40)))).toEqual(['ok', 'ok', 'ok']); // none of 1-3 counts
    expect(g.allows(1, 'ghost', 10 + DELIBERATE_LINGER_MS)).toBe(false); // over with the linger, not a day later
    // A room occupied and then left by a lost connection: the member's day-long invitation does not outlast roomIdleMs.
    const h = grants(undefined, 0, { ...limits, maxRooms: 100 });
    h.grant('alice', 7, ['mallory'], 30_000, 0);
    h.occupied(7, 'mallory');
    expect(code(h.grant('mallory', 7, ['ghost'], day, 100))).toBe('ok');
    h.vacated(7, 200);
    expect(h.allows(7, 'ghost', 200 + limits.roomIdleMs)).toBe(false);
    expect(h.size).toBe(0);
  });

  it('the expiry queue stays proportional to the rooms when a room is left on purpose and renewed for a day in a loop', () => {
    const g = grants(undefined, 0, { ...limits, maxRoomsPerUser: 32, maxRooms: 100 });
    const day = 86_400_000;
    for (let room = 0; room < 32; room++) g.grant('alice', 100 + room, ['bob'], day, 0);
    let now = 0;
    for (let cycle = 0; cycle < 720; cycle++) {
      for (let room = 0; room < 32; room++) {
        g.occupied(100 + room, 'alice');
        g.vacated(100 + room, now, true);
        expect(code(g.grant('alice', 100 + room, ['bob'], now + day, now))).toBe('ok');
      }
      now += 5_000;
      g.sweep(now);
    }
    expect(g.size).toBe(32);
    expect(g.queued).toBeLessThanOrEqual(2 * 32 + 64);
    expect(g.sweep(now + 2 * day)).toBe(32);
  });

  it('at the server\'s room cap, each new room costs a few queue steps, not a walk over every room; expired grants are still found', () => {
    const g = grants(undefined, 0, { ...limits, maxRoomsPerUser: 100_000, maxRooms: 20_000 });
    for (let room = 1; room <= 20_000; room++) g.grant('alice', room, ['bob'], 86_400_000, 0);
    const refusals = Array.from({ length: 2_000 }, (_, i) => code(g.claim('mallory', 100_000 + i, 1_000)));
    expect(new Set(refusals)).toEqual(new Set(['quotaExceeded']));
    // One queue entry per room, however often the cap was checked: each check looked at the
    // queue's head only (the old check walked all 20,000 rooms each time: 40 M looks, ~10 s here).
    expect(g.queued).toBe(20_000);
    expect(code(g.claim('mallory', 200_000, 86_400_000 + 60_000))).toBe('ok'); // every grant expired: the queue finds them
    expect(g.size).toBe(1);
  });

  it('a restart keeps a deliberate linger as it was: the room stays its call\'s for what is left of it, not roomIdleMs, and does not count', () => {
    const db = new Database(':memory:');
    const before = grants(db, 0);
    before.grant('alice', 7, ['bob'], 86_400_000, 0);
    before.occupied(7, 'alice');
    before.vacated(7, 10_000, true); // hung up: the invitation keeps the room 5 s
    const after = grants(db, 12_000);
    expect(after.allows(7, 'bob', 12_000)).toBe(true); // within the linger: an accept that crossed the hang-up still enters
    expect([1, 2, 3].map((room) => code(after.claim('alice', room, 12_000)))).toEqual(['ok', 'ok', 'ok']); // 7 does not count
    expect(after.allows(7, 'bob', 10_000 + DELIBERATE_LINGER_MS)).toBe(false);
    expect(code(after.claim('mallory', 7, 10_000 + DELIBERATE_LINGER_MS))).toBe('ok');
  });

  it('a database from before lingering was written gets the column, its rooms not lingering', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE room_grants (room_id INTEGER PRIMARY KEY, owner TEXT NOT NULL, ring_until INTEGER NOT NULL)');
    db.exec('CREATE TABLE room_grant_users (room_id INTEGER NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (room_id, user_id))');
    db.exec("INSERT INTO room_grants VALUES (7, 'alice', 0); INSERT INTO room_grant_users VALUES (7, 'bob')");
    const g = grants(db, 1_000);
    expect([g.allows(7, 'bob', 1_000), g.allows(7, 'bob', 61_000)]).toEqual([true, false]); // roomIdleMs, as before
  });
});
