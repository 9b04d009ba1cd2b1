/**
 * The cluster's replicated parts on their own, without Redis: what one node shares is what the
 * other nodes apply (grants, groups), and a user's spent budget follows it to another node.
 * Explicit times, no clock.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ClusterBudgets } from '../../server/cluster/budgets';
import { parseTravelling } from '../../server/cluster/frames';
import { ClusterGrants, compacted as compactedGrant, type GrantOp } from '../../server/cluster/grants';
import { ClusterRooms, type RoomEvent } from '../../server/cluster/rooms';
import { ClusterGroupStore, compacted, type GroupOp } from '../../server/cluster/groups';
import { SqliteRoomGrants } from '../../server/grants';
import { Session } from '../../server/session';
import { groupKey, SqliteGroupStore } from '../../server/groups';
import { DEFAULT_LIMITS } from '../../server/limits';

const limits = { ...DEFAULT_LIMITS, userRate: { perSecond: 1, burst: 10 }, maxRoomUsers: 4, roomIdleMs: 60_000 };

/** Two nodes' grants, wired as the broadcast channel wires them (each applies what the other shares). */
function twoGrantNodes() {
  const sent: GrantOp[][] = [[], []];
  const nodes = [0, 1].map((i) => new ClusterGrants(new SqliteRoomGrants(new Database(':memory:'), limits, (w) => w(), 0), (op) => sent[i]?.push(op)));
  const deliver = () => {
    for (const [i, ops] of sent.entries()) for (const op of ops.splice(0)) nodes[1 - i]?.apply(JSON.parse(JSON.stringify(op)) as GrantOp);
  };
  return { a: nodes[0] as ClusterGrants, b: nodes[1] as ClusterGrants, sent, deliver };
}

describe('cluster parts', () => {
  it('grants: an invitation granted on one node admits its invitee on another; a refused one is not shared', () => {
    const { a, b, sent, deliver } = twoGrantNodes();
    expect(a.grant('alice', 7, ['bob'], 30_000, 0)).toBeNull();
    expect(b.allows(7, 'bob', 1)).toBe(false); // not yet told
    deliver();
    expect(b.allows(7, 'bob', 1)).toBe(true);
    expect(b.allows(7, 'mallory', 1)).toBe(false);
    // The room is the call's on every node now: another user cannot take it over on the other node.
    expect(b.grant('mallory', 7, ['mallory'], 30_000, 2)?.refused).toBe('roomInUse');
    expect(sent[1]).toEqual([]);
    b.vacated(7, 10, true);
    deliver();
    expect([a.allows(7, 'bob', 10 + 60_001), b.allows(7, 'bob', 10 + 60_001)]).toEqual([false, false]);
  });

  it('grants: a call made through an IM group admits its members joining on another node (joinInGroupCall), nobody else', () => {
    const sent: GrantOp[] = [];
    const members = (groupID: string, userID: string) => groupID === 'g' && ['alice', 'bob', 'dave'].includes(userID);
    const a = new ClusterGrants(new SqliteRoomGrants(new Database(':memory:'), limits, (w) => w(), 0, members), (op) => sent.push(op));
    const b = new ClusterGrants(new SqliteRoomGrants(new Database(':memory:'), limits, (w) => w(), 0, members), () => undefined);
    expect(a.grant('alice', 9, ['bob'], 30_000, 0, 'g')).toBeNull();
    // Locally: dave, a member who was not invited, may join through the group; mallory may not.
    expect([a.allows(9, 'dave', 1, 'g'), a.allows(9, 'mallory', 1, 'g'), a.allows(9, 'dave', 1)]).toEqual([true, false, false]);
    expect(b.allows(9, 'dave', 1, 'g')).toBe(false); // not yet told
    for (const op of sent.splice(0)) b.apply(JSON.parse(JSON.stringify(op)) as GrantOp);
    expect([b.allows(9, 'dave', 1, 'g'), b.allows(9, 'mallory', 1, 'g'), b.allows(9, 'dave', 1, 'other')]).toEqual([true, false, false]);
  });

  it('groups: a group created and joined on one node has the same members on another', () => {
    const sent: GroupOp[] = [];
    const a = new ClusterGroupStore(new SqliteGroupStore(new Database(':memory:')), (op) => sent.push(op), () => undefined);
    const b = new ClusterGroupStore(new SqliteGroupStore(new Database(':memory:')), () => undefined, () => undefined);
    expect(a.create({ groupID: 'g', owner: 'alice', joinRule: 'invite', incarnation: 'g1' }, ['alice'], ['bob', 'carol'], 0)).toBe(true);
    a.join('g', 'bob');
    a.remove('g', ['carol']);
    for (const op of sent.splice(0)) b.apply(op);
    expect(b.get('g')?.incarnation).toBe('g1'); // the same group on every node
    expect(b.members('g')).toEqual(['alice', 'bob']);
    expect(b.invited('g')).toEqual([]);
    a.delete('g');
    for (const op of sent.splice(0)) b.apply(op);
    expect(b.get('g')).toBeUndefined();
  });

  it('budgets: a user who ran out on one node is out on the next, and refills there at the same rate', () => {
    const exhausted: string[] = [];
    const a = new ClusterBudgets(limits, (u) => exhausted.push(u));
    const b = new ClusterBudgets(limits, () => undefined);
    let spent = 0;
    while (a.take('u', 'frames', 1, 1000)) spent++;
    expect(spent).toBe(10);
    expect(exhausted).toEqual(['u']);
    expect(a.takeDirty()).toEqual(['u']);
    const stored = a.stored('u');
    expect(stored).not.toBeNull();
    b.seed('u', stored ?? {}, 1500); // half a second later on node b: half a token
    expect(b.take('u', 'frames', 1, 1500)).toBe(false);
    expect(b.take('u', 'frames', 1, 2000)).toBe(true); // one token a second, as on node a
    // A fresh node with nothing stored starts full; seeding never gives more than it has.
    const c = new ClusterBudgets(limits, () => undefined);
    c.seed('v', { frames: 'garbage' }, 0);
    expect(c.take('v', 'frames', 10, 0)).toBe(true);
  });

  it('budgets: a fan-out cost above the burst is taken from a full budget and the rest owed, on the next node too', () => {
    // 3,000 units (60 KB to 200 members) against a burst of 2,000 at 1,000 a second: it goes, and 1,000 are owed.
    const a = new ClusterBudgets(limits, () => undefined);
    expect(a.takeOwing('u', 'fanout', 3000, 0)).toBe(true);
    expect(a.takeDirty()).toEqual(['u']);
    const b = new ClusterBudgets(limits, () => undefined);
    b.seed('u', a.stored('u') ?? {}, 2000); // two seconds later on node b: 1,000, not yet full
    expect(b.takeOwing('u', 'fanout', 3000, 2000)).toBe(false);
    expect(b.take('u', 'fanout', 1001, 2000)).toBe(false);
    expect(b.takeOwing('u', 'fanout', 3000, 3000)).toBe(true); // full again after 3 s: the whole price, paid over time
    // Not owing, a cost above the burst is never affordable, as before.
    expect(new ClusterBudgets(limits, () => undefined).take('v', 'fanout', 2001, 0)).toBe(false);
  });

  it('budgets: a user far from its limits is never written to Redis', () => {
    const a = new ClusterBudgets(limits, () => undefined);
    for (let i = 0; i < 4; i++) expect(a.take('calm', 'frames', 1, 0)).toBe(true);
    expect(a.takeDirty()).toEqual([]);
    expect(a.take('calm', 'frames', 2, 0)).toBe(true); // 4 of 10 left: under half
    expect(a.takeDirty()).toEqual(['calm']);
  });
});

/** One node's grants and groups, wired as hub.ts wires them (its grants ask its groups who is a member). */
function groupNode() {
  const db = new Database(':memory:');
  const groupStore = new SqliteGroupStore(db);
  const grants = new ClusterGrants(new SqliteRoomGrants(db, limits, (w) => w(), T0, (g, u) => groupStore.isMember(g, u)), () => undefined);
  const groups = new ClusterGroupStore(groupStore, () => undefined, () => undefined);
  const key = (groupID: string) => {
    const group = groups.get(groupID);
    return group ? groupKey(group) : undefined;
  };
  return { grants, groups, key };
}
const T0 = 1_000_000;
const team = { groupID: 'team', owner: 'alice', joinRule: 'invite' as const, incarnation: 'first' };

describe('cluster parts: a call made through a group admits that very group', () => {
  it("a node that replays the group's compacted history (delete, then create) admits its members as the others do", () => {
    const a = groupNode();
    a.groups.create(team, ['alice', 'bob'], [], T0);
    expect(a.grants.grant('alice', 500, [], T0 + 30_000, T0, a.key('team'))).toBeNull();
    const b = groupNode();
    b.grants.apply({ op: 'grant', user: 'alice', roomID: 500, users: [], until: T0 + 30_000, now: T0, groupID: a.key('team') } as GrantOp);
    for (const op of compacted(a.groups, 'team', T0)) b.groups.apply(op);
    expect(a.grants.allows(500, 'bob', T0, a.key('team'))).toBe(true);
    expect(b.grants.allows(500, 'bob', T0, b.key('team'))).toBe(true);
  });

  it('a grant that reaches a node after the group was deleted there, and made again by someone else, admits none of the new members, nor after a compaction', () => {
    const b = groupNode();
    b.groups.create(team, ['alice', 'bob'], [], T0);
    const throughTeam = b.key('team');
    b.groups.delete('team');
    b.grants.apply({ op: 'grant', user: 'alice', roomID: 500, users: [], until: T0 + 30_000, now: T0, groupID: throughTeam } as GrantOp);
    b.groups.create({ groupID: 'team', owner: 'mallory', joinRule: 'invite', incarnation: 'second' }, ['mallory'], [], T0 + 1);
    expect(b.grants.allows(500, 'mallory', T0 + 1, b.key('team'))).toBe(false);
    const a = groupNode();
    a.groups.create({ groupID: 'team', owner: 'mallory', joinRule: 'invite', incarnation: 'second' }, ['mallory'], [], T0 + 1);
    for (const op of compactedGrant(500, b.grants.describe(500, T0 + 1) as NonNullable<ReturnType<ClusterGrants['describe']>>)) a.grants.apply(op);
    expect(a.grants.allows(500, 'mallory', T0 + 1, a.key('team'))).toBe(false);
  });
});

describe('cluster parts: a vacate that crossed an entry on another node', () => {
  it("node a's lone member left as Bob entered on node b, unheard at a: b takes the room as occupied again and shares it", () => {
    const { a, b, sent, deliver } = twoGrantNodes();
    expect(a.grant('alice', 7, ['bob'], 30_000, 0)).toBeNull();
    a.occupied(7, 'alice');
    deliver();
    b.watch((roomID) => (roomID === 7 ? ['bob'] : []));
    b.occupied(7, 'bob'); // Bob enters on b; a has not heard it...
    sent[1]?.splice(0);
    a.vacated(7, 10, true); // ...when Alice, alone as a saw it, leaves
    for (const op of sent[0]?.splice(0) ?? []) b.apply(JSON.parse(JSON.stringify(op)) as GrantOp);
    expect(b.describe(7, 20)?.emptySince).toBeNull();
    expect(sent[1]).toEqual([{ op: 'occupied', roomID: 7, user: 'bob' }]);
    deliver();
    expect(a.describe(7, 20)?.emptySince).toBeNull();
    // Past the vacate's 5 s linger the call's room is still Bob's invitation on both nodes.
    expect([a.allows(7, 'bob', 60_000), b.allows(7, 'bob', 60_000)]).toEqual([true, true]);
  });
});

describe('cluster parts: a lingering grant', () => {
  it('occupied by an invitee only (the owner hung up) stays off the owner\'s count on every node, also when compacted', () => {
    const { a, b, deliver } = twoGrantNodes();
    expect(a.grant('alice', 7, ['bob'], 30_000, 0)).toBeNull();
    a.occupied(7, 'alice');
    a.vacated(7, 10, true);
    deliver();
    b.occupied(7, 'bob'); // an accept that crossed the hang-up, on the other node
    deliver();
    const state = a.describe(7, 20);
    expect(state).toMatchObject({ lingering: true, emptySince: null });
    expect(b.describe(7, 20)).toEqual(state);
    const { a: c } = twoGrantNodes();
    for (const op of compactedGrant(7, state as NonNullable<typeof state>)) c.apply(op);
    expect(c.describe(7, 20)).toEqual(state);
  });
});

describe('cluster parts: rooms', () => {
  it('a room counts its members on every node: a relay to the whole room and a notice cost the sender a copy for each of them', () => {
    const grants = { occupied: () => undefined, vacated: () => undefined, allows: () => true };
    const shared: RoomEvent[] = [];
    const a = new ClusterRooms(grants, () => T0, { node: 'a', roomEvent: async (e) => void shared.push(e), said: async () => undefined, relay: () => undefined, afterGrace: () => undefined });
    const b = new ClusterRooms(grants, () => T0, { node: 'b', roomEvent: async () => undefined, said: async () => undefined, relay: () => undefined, afterGrace: () => undefined });
    const session = (userID: string) => new Session(userID, `token-${userID}`, '', T0 + 60_000);
    // Three members on node a, one on node b.
    const [ann, al, ali] = ['ann', 'al', 'ali'].map(session) as [Session, Session, Session];
    for (const s of [ann, al, ali]) a.enter(s, 3, true, true);
    for (const e of shared.splice(0)) b.applyRemote(e);
    const bob = session('bob');
    expect(b.noticesOf(bob, 3, true, true)).toBe(2 * 3); // userEntered now, userLeft later, to each of the three
    b.enter(bob, 3, true, true);
    expect([a.memberCount(3), b.memberCount(3)]).toEqual([3, 4]);
    expect(b.noticesOf(bob, 3, false, true)).toBe(3); // memberState to the three on node a
    expect(b.noticesOf(bob, 3, true, true)).toBe(0); // no change, no notice
  });
});

describe('cluster parts: a stored copy travelling between nodes', () => {
  it('carries the room its invitation was granted; an entry from before it did gets none; a malformed one is dropped', () => {
    const copy = { msgID: 'm', from: 'alice', groupID: null, payload: 'invite', sentAt: 1, expiresAt: 2 };
    expect(parseTravelling(JSON.stringify({ ...copy, call: { inviteID: 'i', roomID: 7 } }))?.call).toEqual({ inviteID: 'i', roomID: 7 });
    expect(parseTravelling(JSON.stringify(copy))?.call).toBeNull();
    expect(parseTravelling(JSON.stringify({ ...copy, call: { inviteID: 'i', roomID: '7' } }))).toBeNull();
  });
});
