/**
 * The owner's share of a room's places (server/grants.ts, OWNERS_SHARE) in a cluster: two
 * invitations made at once on two nodes, the owner's and another member's, near three quarters of
 * the places, are heard in different orders; each node decides its own and replays the other's as
 * granted, so the replicas agree (the review of 2026-12-05: node A refused Carol for good, while node
 * B, which acked her invitation, admitted her).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ClusterGrants, type GrantOp } from '../../server/cluster/grants';
import { SqliteRoomGrants } from '../../server/grants';
import { DEFAULT_LIMITS } from '../../server/limits';

describe("cluster grants and the owner's share", () => {
  it("Alice (owner) on node A and u0 on node B invite at once, at 74 of 75 places others may fill -> both nodes admit Dave and Carol", () => {
    const sent: GrantOp[][] = [[], []];
    const [a, b] = [0, 1].map((i) => new ClusterGrants(new SqliteRoomGrants(new Database(':memory:'), DEFAULT_LIMITS, (w) => w(), 0), (op) => sent[i]!.push(op))) as [ClusterGrants, ClusterGrants];
    const deliver = () => {
      for (const [i, ops] of sent.entries()) for (const op of ops.splice(0)) [a, b][1 - i]!.apply(JSON.parse(JSON.stringify(op)) as GrantOp);
    };
    expect(a.grant('alice', 9, Array.from({ length: 73 }, (_, i) => `u${i}`), 60_000, 0)).toBeNull();
    deliver();
    expect(a.grant('alice', 9, ['dave'], 60_000, 10)).toBeNull();
    expect(b.grant('u0', 9, ['carol'], 60_000, 10)).toBeNull();
    deliver();
    const view = (n: ClusterGrants) => ({ carol: n.allows(9, 'carol', 20), dave: n.allows(9, 'dave', 20), size: n.describe(9, 20)?.users.length });
    expect([view(a), view(b)]).toEqual([{ carol: true, dave: true, size: 75 }, { carol: true, dave: true, size: 75 }]);
    // Past it, another member's invitation is still refused where it is made.
    expect(b.grant('u1', 9, ['erin'], 60_000, 30)).toMatchObject({ refused: 'quotaExceeded' });
  });
});
