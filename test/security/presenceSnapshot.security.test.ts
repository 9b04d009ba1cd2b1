/**
 * Attack: make the server do O(N^2) work a second with presence snapshots (`--presence`). A snapshot names at most
 * 1,000 users (`MAX_LISTED`), but it copied and filtered every user online before cutting to them: with N online, each
 * snapshot was O(N) work, and each user may ask one a second (`--presence-snapshot-rate`), so N users asking made the
 * server do O(N^2) a second. Measured (`bench/server/presenceSnapshot.ts`): 15-20 ms a snapshot at 100,000 online
 * against some 60 µs at 1,000, so some 60 accounts asking at their rate kept a core busy. Left by the attacker review of
 * 2026-12-07 (server/README's limits), shown and fixed the same evening: a snapshot walks the users online in the
 * order they came and stops at the 1,000th (`firstListed`, `server/presence.ts`), so it costs the same at 100,000
 * online as at 1,000 and names the same users as before. A cluster's feed is this one, fed by the other nodes
 * (`Presence.changed`, as here).
 *
 * The feed is driven through its own interface, as the server and a cluster's directory drive it; the subscriber's
 * connection is a stand-in that writes each frame to JSON as `Conn.send` does (100,000 sockets are not to be had).
 */
import { describe, expect, it } from 'vitest';
import type { Conn } from '../../server/conn';
import type { ServerClock } from '../../server/options';
import { localOnline, MAX_LISTED, Presence } from '../../server/presence';

const clock: ServerClock = { now: () => 0, setTimeout: () => null, clearTimeout: () => undefined };
const limits = { presenceBatchMs: 1000, presenceSnapshots: { perSecond: 1e9, burst: 1e9 } };
const user = (i: number) => `user-${i.toString().padStart(6, '0')}`;

/** A feed with users 0 .. n-1 online, announced in that order, as a cluster's other nodes announce theirs. */
function feed(n: number): Presence {
  const online = new Set(Array.from({ length: n }, (_, i) => user(i)));
  const presence = new Presence(true, localOnline((u) => online.has(u)), clock, limits);
  for (const u of online) presence.changed(u);
  return presence;
}

/** A subscriber's connection as the feed sees it: logged in as `userID`, open; each frame written as JSON. */
function subscriber(userID: string, frames: { online: readonly string[] }[]): Conn {
  const send = (frame: { online: readonly string[] }) => frames.push(JSON.parse(JSON.stringify(frame)) as { online: readonly string[] });
  return { closed: false, session: { userID }, send } as unknown as Conn;
}

/**
 * Counts the users a feed reads from its set of users online (every walk of it, a copy's spread included): the work
 * a snapshot does, counted, not timed (a time ratio is the benchmark's, `bench/server/presenceSnapshot.ts`).
 */
function readsOfOnline(presence: Presence): () => number {
  const online = (presence as unknown as { online: Set<string> }).online;
  expect(online).toBeInstanceOf(Set);
  let reads = 0;
  const values = Set.prototype.values;
  Object.defineProperty(online, Symbol.iterator, {
    value: function* () {
      for (const userID of values.call(online)) {
        reads++;
        yield userID;
      }
    },
  });
  return () => reads;
}

describe('a presence snapshot costs what it names, not what is online', () => {
  it('Mallory\'s accounts ask for snapshots with 100,000 users online: each reads the 1,000 it names, not all 100,000', () => {
    const presence = feed(100_000);
    const reads = readsOfOnline(presence);
    const frames: { online: readonly string[] }[] = [];
    for (let i = 0; i < 50; i++) presence.subscribe(subscriber(user(i), frames), user(i), i);
    expect(frames.map((f) => f.online.length)).toEqual(Array.from({ length: 50 }, () => MAX_LISTED));
    // Before: every snapshot copied all 100,000 (5,000,000 reads for the 50; 0.73 s against 3.2 ms at 1,000 online).
    // Each names 1,000: it reads them, the subscriber itself (skipped) and the one it stops at.
    expect(reads()).toBeLessThanOrEqual(50 * (MAX_LISTED + 2));
  });

  it('a snapshot names the first 1,000 users online in the order they came, never the subscriber, as before', () => {
    const presence = feed(1_500);
    const frames: { online: readonly string[] }[] = [];
    presence.subscribe(subscriber(user(10), frames), user(10), 1); // among the first 1,000: the 1,001st is named instead
    presence.subscribe(subscriber(user(1_200), frames), user(1_200), 2); // past them: the first 1,000
    const first = Array.from({ length: MAX_LISTED + 1 }, (_, i) => user(i));
    expect(frames.map((f) => f.online)).toEqual([first.filter((u) => u !== user(10)), first.slice(0, MAX_LISTED)]);
  });
});
