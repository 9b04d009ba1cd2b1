/**
 * Compacting a room's grant history (issue 13): the few changes `compacted()` writes for a grant
 * make, on a node that has none of it, the very grant the whole history made: same owner, users,
 * ring time, emptiness and linger, and so the same expiry, whatever the owner holds there already
 * (its quota is not checked again). Random histories, fast-check.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterGrants, compacted, type GrantOp } from '../../server/cluster/grants';
import { SqliteRoomGrants } from '../../server/grants';
import { DEFAULT_LIMITS } from '../../server/limits';

const limits = { ...DEFAULT_LIMITS, maxRoomsPerUser: 3, maxRooms: 50, maxRoomUsers: 6, roomIdleMs: 60_000 };
const ROOM = 7;
const fresh = () => new ClusterGrants(new SqliteRoomGrants(new Database(':memory:'), limits, (write) => write(), 0), () => undefined);

const step = fc.oneof(
  fc.record({ op: fc.constant('claim' as const), user: fc.constantFrom('alice', 'bob') }),
  fc.record({
    op: fc.constant('grant' as const),
    user: fc.constantFrom('alice', 'bob'),
    users: fc.uniqueArray(fc.constantFrom('bob', 'carol', 'dave'), { maxLength: 3 }),
    ring: fc.constantFrom(0, 10_000, 90_000),
    groupID: fc.option(fc.constantFrom('team', 'ops'), { nil: undefined }),
  }),
  fc.record({ op: fc.constant('occupied' as const), user: fc.constantFrom('alice', 'bob', 'carol') }),
  fc.record({ op: fc.constant('vacated' as const), deliberate: fc.boolean() }),
);

describe('cluster: a room history compacted into its grant', () => {
  it('replaying compacted() on an empty node gives the grant the whole history gave, now and at every later time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.constantFrom(0, 1_000, 5_000, 30_000, 70_000)), { maxLength: 30 }), fc.constantFrom(0, 1_000, 61_000), (steps, wait) => {
        const whole = fresh();
        let now = 1_000;
        for (const [s, dt] of steps) {
          now += dt;
          const op: GrantOp =
            s.op === 'claim'
              ? { op: 'claim', user: s.user, roomID: ROOM, now }
              : s.op === 'grant'
                ? { op: 'grant', user: s.user, roomID: ROOM, users: s.users, until: now + s.ring, now, ...(s.groupID ? { groupID: s.groupID } : {}) }
                : s.op === 'occupied'
                  ? { op: 'occupied', roomID: ROOM, user: s.user }
                  : { op: 'vacated', roomID: ROOM, now, deliberate: s.deliberate };
          whole.apply(op);
        }
        now += wait;
        const state = whole.describe(ROOM, now);
        // The node it is made again on holds as many rooms of each owner as the quota allows.
        const again = fresh();
        for (const [i, user] of ['alice', 'alice', 'alice', 'bob', 'bob', 'bob'].entries()) again.claim(user, 100 + i, now);
        for (const op of state ? compacted(ROOM, state) : []) again.apply(op);
        for (const t of [now, now + 5_000, now + 60_000, now + 100_000]) {
          const [a, b] = [whole.describe(ROOM, t), again.describe(ROOM, t)];
          expect(b === null ? null : { ...b, users: [...b.users].sort() }).toEqual(a === null ? null : { ...a, users: [...a.users].sort() });
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
