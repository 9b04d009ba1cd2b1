/**
 * A liveness check of a settled run (random steps end with few calls going on, and the invariants are about
 * consistency: two users who both missed each other's entry agree): once every fault healed and every timer
 * ran out, two users still there, on two nodes of a cluster when there are two, can still call each other,
 * and both see each other in the room. What a run leaves behind (a directory entry, a room's claim, a
 * session, a budget) must not keep them from it.
 */
import { attempt, type System, type User } from './harness';
import { checkMutualPresence } from './invariants';

/** The problems of a fresh call between two users of the settled `system` (none when it works). */
export async function probeCall(system: System): Promise<string[]> {
  const left = system.users.filter((u) => !u.gone);
  const a = left[0];
  // Users are spread over the nodes by index: one of the other parity is on the other node.
  const b = left.find((u) => u !== a && system.users.indexOf(u) % 2 !== system.users.indexOf(a as User) % 2) ?? left[1];
  if (!a || !b) return [];
  const state = (u: User) => `${u.id}: line ${u.calling.getSnapshot().line}, call ${u.calling.getSnapshot().call?.state ?? 'none'}`;
  for (const u of [a, b]) {
    const line = u.calling.getSnapshot().line;
    if (line === 'loggedOut' || line === 'kickedOut') await attempt(u, 'login', (c) => c.login({ userID: u.id, userSig: system.net.userSig(u.id) }));
  }
  // An invitation stored while logged out rings as the user logs in: answered below, with the calls going on.
  // Long enough for a login whose socket lost it (`loseNextLogin`) to be given up on (15 s) and tried again.
  await system.net.advance(30_000);
  for (const u of [a, b]) {
    const call = u.calling.getSnapshot().call;
    if (call?.state === 'ringing') await attempt(u, 'reject', (c) => c.reject());
    else if (call) await attempt(u, 'hangup', (c) => c.hangup());
  }
  await system.net.advance(5_000);
  const before = [state(a), state(b)].join('; ');
  await attempt(a, 'call', (c) => c.call({ userID: b.id, type: 1, timeout: 30 }));
  await system.net.advance(1_000);
  if (b.calling.getSnapshot().call?.state !== 'ringing') return [`settled, ${a.id} called ${b.id}, who does not ring (before: ${before}; now: ${state(a)}; ${state(b)})`];
  await attempt(b, 'accept', (c) => c.accept());
  await system.net.advance(2_000);
  const inCall = [a, b].filter((u) => u.calling.getSnapshot().call?.state !== 'inCall');
  if (inCall.length > 0) return [`settled, ${b.id} accepted ${a.id}'s call, and it is not up (${state(a)}; ${state(b)})`];
  return checkMutualPresence({ ...system, users: [a, b], devices: [] });
}
