/**
 * The commands a node sends to Redis in one turn of its event loop go out in one write. Each script
 * call (a copy moved to a stream, taken in, a share told) was a socket write of its own: the writes
 * took 10.8% of a node's CPU in `npm run bench:server -- --nodes 2` (2026-12-07). The command
 * connection's socket is corked at a turn's first command and uncorked after the turn's I/O
 * (`setImmediate`, as the server corks its clients' sockets: `conn.ts`); nothing else changes:
 * each command is still sent, timed and answered alone, in the order sent (unlike ioredis's
 * auto-pipelining, which would also hold a batch's commands behind any of them that `IdGate` holds,
 * the heartbeat's own too).
 */
import type { Writable } from 'node:stream';
import type { Redis } from 'ioredis';

/** Installed on a node's command connection before anything else wraps its `sendCommand` (`IdGate` does). */
export function coalesceWrites(redis: Redis): void {
  const send = redis.sendCommand.bind(redis) as (...args: unknown[]) => unknown;
  redis.sendCommand = ((...args: unknown[]) => {
    // The socket of the moment: a reconnection makes a new one (the old one is uncorked, or gone, by its own immediate).
    const stream = (redis as unknown as { stream?: Writable }).stream;
    if (stream && !stream.destroyed && stream.writableCorked === 0) {
      stream.cork();
      setImmediate(() => stream.uncork());
    }
    return send(...args);
  }) as Redis['sendCommand'];
}
