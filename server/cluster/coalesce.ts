/**
 * The commands a node sends to Redis in one turn of its event loop go out in one write. Each script
 * call (a copy moved to a stream, taken in, a share told) was a socket write of its own: the writes
 * took 10.8% of a node's CPU in `npm run bench:server -- --nodes 2` (2026-12-07). The command
 * connection's socket is corked at a turn's first command and uncorked after the turn's I/O
 * (`setImmediate`, as the server corks its clients' sockets: `conn.ts`); nothing else changes:
 * each command is still sent, timed and answered alone, in the order sent (unlike ioredis's
 * auto-pipelining, which would also hold a batch's commands behind any of them that `IdGate` holds,
 * the heartbeat's own too).
 *
 * Corked, a command is written at the end of the turn, not when it was sent: a stall in between (a long GC pause, a
 * blocking native call, a stopped VM) held it in the process, where before it was in the kernel, which sends it
 * stalled or not. So the write asks `IdGate` first ({@link guardWrites}): a batch with a command the gate let
 * through is written only while the node's id is still known its own, else the connection is destroyed, its commands
 * failing unsent, as a Redis blip fails them (test/cluster/coalesceGate.test.ts).
 */
import type { Writable } from 'node:stream';
import type { Redis } from 'ioredis';

/** The flush of each connection with a batch corked now. */
const pending = new Set<() => void>();

/**
 * Writes every batch corked now. The turn's commit calls it as it ends (`server/index.ts`, beside `uncorkAll`): the
 * commands its effects send are corked from inside the check phase, where an immediate set runs only at the end of the
 * next turn (a closed loop's turn is tens of ms), and a move to a stream, a take-in's delete, waited that long more.
 */
export function writeBatches(): void {
  for (const flush of [...pending]) flush();
}

/** Each connection's guard, asked at each write of a batch: false, the batch must not go. */
const guards = new WeakMap<object, () => boolean>();

/** Makes each batch of `redis` written only if `mayWrite()` says so then (`IdGate`: the id still confirmed). */
export function guardWrites(redis: object, mayWrite: () => boolean): void {
  guards.set(redis, mayWrite);
}

/** Installed on a node's command connection before anything else wraps its `sendCommand` (`IdGate` does). */
export function coalesceWrites(redis: Redis): void {
  const send = redis.sendCommand.bind(redis) as (...args: unknown[]) => unknown;
  /** The socket corked for the turn's batch, if any. */
  let corked: Writable | null = null;
  /** Writes the batch, or fails it unsent (the socket destroyed) when its guard says it must not go. */
  const flush = () => {
    const stream = corked;
    pending.delete(flush);
    if (!stream) return;
    corked = null;
    const mayWrite = guards.get(redis)?.() ?? true; // asked even of a socket gone: its batch is over
    if (mayWrite || stream.destroyed) stream.uncork();
    else stream.destroy(new Error('a command waited to be written past the node id\'s TTL: not written'));
  };
  redis.sendCommand = ((...args: unknown[]) => {
    // The socket of the moment: a reconnection makes a new one (the old one is uncorked, or gone, by its own immediate).
    const stream = (redis as unknown as { stream?: Writable }).stream;
    if (!stream || stream.destroyed) {
      // No batch to join: ioredis fails the command at once, unwritten (not writable, no offline queue). Its guard is
      // told, as at a batch's write: else what `IdGate` noted of it (sent in the moment between a socket's error and
      // its close) would be taken as the next connection's, whose handshake it would fail once the TTL ran out.
      const sent = send(...args);
      guards.get(redis)?.();
      return sent;
    }
    if (stream.writableCorked === 0) {
      flush();
      stream.cork();
      corked = stream;
      pending.add(flush);
      setImmediate(flush);
    }
    return send(...args);
  }) as Redis['sendCommand'];
  // disconnect() ends the socket, and ending it writes what is corked: the batch asks its guard first (`HeldId` disconnects
  // as it finds its id lost, maybe in the turn of a stall).
  const disconnect = redis.disconnect.bind(redis);
  redis.disconnect = ((reconnect?: boolean) => {
    flush();
    disconnect(reconnect);
  }) as Redis['disconnect'];
}
