/**
 * What a presence snapshot (`presenceSubscribe`) costs the server with N users online:
 * `npx tsx bench/server/presenceSnapshot.ts [--online 1000,10000,100000] [--snapshots n]`. Fills the feed
 * (server/presence.ts) with N users online, as a cluster's other nodes announce them (`Presence.changed`), then
 * times `--snapshots` snapshots (default 2,000), each for another subscriber, written to JSON as `Conn.send` does;
 * prints the wall time per snapshot (the median of 5 rounds) and what every user online asking once a second (the
 * budget's rate) would cost the server a second. A snapshot names at most 1,000 users whatever N is.
 */
import { parseArgs } from 'node:util';
import type { Conn } from '../../server/conn';
import { localOnline, Presence } from '../../server/presence';
import type { ServerClock } from '../../server/options';

const { values } = parseArgs({ options: { online: { type: 'string' }, snapshots: { type: 'string' } } });
const SIZES = (values.online ?? '1000,10000,100000').split(',').map(Number);
const SNAPSHOTS = Number(values.snapshots ?? 2_000);
const ROUNDS = 5;

const clock: ServerClock = { now: () => 0, setTimeout: () => null, clearTimeout: () => undefined };
const unlimited = { presenceBatchMs: 1000, presenceSnapshots: { perSecond: 1e9, burst: 1e9 } };

/** A subscriber's connection as the feed sees it: logged in, open, writing each frame as JSON. */
function subscriber(userID: string, written: { chars: number }): Conn {
  return { closed: false, session: { userID }, send: (frame: unknown) => void (written.chars += JSON.stringify(frame).length) } as unknown as Conn;
}

for (const n of SIZES) {
  const online = new Set<string>();
  const presence = new Presence(true, localOnline((u) => online.has(u)), clock, unlimited);
  for (let i = 0; i < n; i++) {
    const user = `user-${i.toString().padStart(6, '0')}`;
    online.add(user);
    presence.changed(user);
  }
  const written = { chars: 0 };
  const conns = Array.from({ length: SNAPSHOTS }, (_, i) => subscriber(`user-${(i % n).toString().padStart(6, '0')}`, written));
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (const [i, conn] of conns.entries()) presence.subscribe(conn, `user-${(i % n).toString().padStart(6, '0')}`, i);
    rounds.push(((performance.now() - t0) * 1000) / SNAPSHOTS);
    for (const conn of conns) presence.unsubscribe(conn, 0);
  }
  const us = rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number;
  const perFrame = Math.round(written.chars / (ROUNDS * SNAPSHOTS));
  console.log(`${n.toLocaleString('en')} online: ${us.toFixed(1)} µs a snapshot (${perFrame} characters written); all ${n.toLocaleString('en')} asking once a second: ${((us * n) / 1e6).toFixed(2)} s of CPU a second`);
}
