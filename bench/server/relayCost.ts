/**
 * What a relay to the whole room costs the server before its copies reach the sockets: `npx tsx
 * bench/server/relayCost.ts [--before DIR] [--members 20] [--chars 1000] [--relays 20000] [--rounds 6]`. A room of
 * `--members` (server/rooms.ts, the real class) on stand-in connections that take each copy as `Conn.sendDroppable`
 * does (a frame is written to JSON, a text is taken as is) and count its characters; each relay is what the
 * dispatcher's `relay` case does: the copies' charge in bytes, then `Rooms.relay`. With `--before DIR` (a checkout of an
 * earlier commit anywhere, e.g. `git worktree add /tmp/before <commit>`: the modules it loads there import no package;
 * not under this clone's test/, whose files some tests read), that commit's `Rooms` and charge run too, the two
 * alternated round by round in one process; printed: the median µs a relay of each. The socket writes themselves (the
 * same on both sides) are not part of it.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Conn } from '../../server/conn';
import { Session } from '../../server/session';

const { values } = parseArgs({ options: { before: { type: 'string' }, members: { type: 'string' }, chars: { type: 'string' }, relays: { type: 'string' }, rounds: { type: 'string' } } });
const MEMBERS = Number(values.members ?? 20);
const CHARS = Number(values.chars ?? 1000);
const RELAYS = Number(values.relays ?? 20_000);
const ROUNDS = Number(values.rounds ?? 6);
const ROOM = 7;

/** One relay as the dispatcher handles it: the bytes its copies beyond the first are charged, then the relay itself. */
type Relay = (from: Session, data: string) => number;

const grants = { occupied: () => undefined, vacated: () => undefined, allows: () => true };
const written = { chars: 0 };

/** A connection as the room sees it: it takes a frame (written to JSON) or its text, and never drops it. */
function conn(): Conn {
  const take = (frame: unknown) => void (written.chars += (typeof frame === 'string' ? frame : JSON.stringify(frame)).length);
  return { send: take, sendText: take, sendDroppable: (frame: unknown) => (take(frame), true) } as unknown as Conn;
}

/** A room of {@link MEMBERS} on `dir`'s server, every member entered, and its dispatcher's relay case. */
async function side(dir: string): Promise<{ relay: Relay; sender: Session }> {
  const rooms = (await import(join(dir, 'server/rooms.ts'))) as typeof import('../../server/rooms');
  const fanout = (await import(join(dir, 'server/fanout.ts'))) as Partial<typeof import('../../server/fanout')>;
  const room = new rooms.Rooms(grants, () => 0);
  const sessions = Array.from({ length: MEMBERS }, (_, i) => {
    const s = new Session(`member-${i}`, `t${i}`, 'd', 9e15);
    s.conn = conn();
    room.enter(s, ROOM, true, true);
    return s;
  });
  const copies = MEMBERS - 1;
  // Before: the relay's data measured escaped on its own (`wireBytes`), then its frame written to JSON per copy.
  // After: the frame written once (`RelayOut`), its bytes the charge, the text every copy.
  const relay: Relay =
    'RelayOut' in rooms
      ? (from, data) => {
          const out = new rooms.RelayOut(from.userID, ROOM, data);
          const bytes = (copies - 1) * Buffer.byteLength(out.text);
          room.relay(from, ROOM, undefined, out);
          return bytes;
        }
      : (from, data) => {
          const bytes = (copies - 1) * (fanout.wireBytes as (text: string) => number)(data);
          (room.relay as unknown as (s: Session, r: number, to: undefined, d: string) => boolean)(from, ROOM, undefined, data);
          return bytes;
        };
  return { relay, sender: sessions[0] as Session };
}

// A relay as the browser sends one: JSON, whose quotes the frame escapes (\"), `--chars` characters in all.
const data = JSON.stringify({ kind: 'ice', candidate: 'c'.repeat(Math.max(0, CHARS - 29)) });
const sides: [string, { relay: Relay; sender: Session }][] = [];
if (values.before !== undefined) sides.push(['before', await side(resolve(values.before))]);
sides.push(['after', await side(resolve(import.meta.dirname, '../..'))]);
const times = new Map<string, number[]>(sides.map(([name]) => [name, []]));
let charged = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, { relay, sender }] of sides) {
    const t0 = performance.now();
    for (let i = 0; i < RELAYS; i++) charged += relay(sender, data);
    times.get(name)?.push(((performance.now() - t0) * 1000) / RELAYS);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(`a relay of ${data.length} characters to a room of ${MEMBERS}, ${RELAYS} relays a round, ${ROUNDS} rounds alternated (${written.chars} characters written, ${charged} bytes charged):`);
for (const [name, xs] of times) console.log(`  ${name}: ${median(xs).toFixed(2)} µs a relay (rounds: ${xs.map((x) => x.toFixed(2)).join(', ')})`);
