/**
 * What a node sends to Redis, held while it cannot know that its node id is still its own (`nodeId.ts`, `HeldId`).
 *
 * A beat answered 'ok' or 'lapsed' proves the id this process's until the key's TTL runs out, counted from when the beat
 * was sent (Redis set the TTL later). Past that (a long GC pause, a stopped VM, SIGSTOP, a stalled link to Redis) the key
 * may have lapsed and another process claimed the id; whatever this one sent then (a timer's write, a client's frame
 * read on waking, a frame from another node acted on) would run under that one's id before this one's next beat could
 * answer 'taken': on waking, the timers and the sockets' backlogs run before any answer comes back. So, past it, every
 * command but those on the heartbeat key itself (the claim, the beat, the graceful stop's read and its `DROP`, which
 * decide) waits on the connection for the next beat: the id confirmed, they go, in order; taken, they fail unsent;
 * the beat unanswered, they fail with its error, as a write to that Redis would have.
 *
 * What was sent before that point (in the link, in Redis's queue) is not recalled: no gate in the client can.
 */
import type { Redis } from 'ioredis';
import { guardWrites } from './coalesce';

type Send = Redis['sendCommand'];
type Command = Parameters<Send>[0];
/** What ioredis sends on a connection before it is ready (its `Command.FLAGS.HANDSHAKE_COMMANDS`). */
const HANDSHAKE = new Set(['auth', 'select', 'client', 'readonly', 'info']);

/** Installed on the node's command connection (its `sendCommand`) by `HeldId`, which tells it what each beat answered. */
export class IdGate {
  /** When (`now`) the last command that confirmed the id was sent; none yet: everything but the key's own waits. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  /** A graceful stop read its id (or could not): what it sends from then on goes, as before the gate (`DROP` decides last). */
  private open = false;
  private held: { command: Command; send: () => void }[] = [];
  /** A command that does not decide was sent since the connection's last write (`coalesce.ts` writes a turn's at its end). */
  private unwritten = false;

  constructor(
    redis: Pick<Redis, 'sendCommand' | 'status'>,
    /** The heartbeat key (`P:alive:<node>`). */
    private readonly key: string,
    /** The key's TTL (ms). */
    private readonly aliveMs: number,
    /** Real time (ms), monotonic: the key's TTL runs on Redis's clock, not the node's injected one. */
    private readonly now: () => number,
  ) {
    const send = redis.sendCommand.bind(redis) as (command: Command, ...rest: unknown[]) => unknown;
    // Let through while the id was confirmed, a command may still be written at the end of the turn (`coalesce.ts`):
    // only if the id is confirmed then too.
    guardWrites(redis, () => this.mayWrite());
    redis.sendCommand = ((command: Command, ...rest: unknown[]) => {
      // The id confirmed lately (the usual case, tested first); not connected: it fails at once, as it did (no offline
      // queue on this connection); a command on the key itself decides.
      const gated = !this.open && this.written(redis, command) && !this.decides(command);
      if (!gated) return send(command, ...rest);
      if (this.now() - this.confirmedAt < this.aliveMs) {
        this.unwritten = true; // asked of again at the batch's write (`mayWrite`)
        return send(command, ...rest);
      }
      this.held.push({ command, send: () => void send(command, ...rest) });
      return command.promise;
    }) as Send;
  }

  /** Asked as the connection writes what was sent since its last write: no command that waits for the id confirmed, or the id confirmed still. */
  private mayWrite(): boolean {
    const ok = this.open || !this.unwritten || this.now() - this.confirmedAt < this.aliveMs;
    this.unwritten = false;
    return ok;
  }

  /**
   * A command on the key sent at `sentAt` found it this process's: what waits goes, if that still confirms the id now.
   * An answer read past the TTL (a stall between the beat's send, or write, and its answer's read) does not: what
   * waits waits on for the next beat (released, it was written under an id this process may have lost since; with
   * `coalesce.ts`, the write found the id unconfirmed and destroyed the connection, failing all in flight on it).
   */
  confirmed(sentAt: number): void {
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    if (this.held.length === 0 || (!this.open && this.now() - this.confirmedAt >= this.aliveMs)) return;
    this.unwritten = true;
    for (const { send } of this.held.splice(0)) send();
  }

  /** The id lost, or a beat unanswered: what waits fails, unsent. */
  fail(error: Error): void {
    for (const { command } of this.held.splice(0)) command.reject(error);
  }

  /** A graceful stop: from now on everything goes (what waits too). */
  openForGood(): void {
    this.open = true;
    this.confirmed(this.confirmedAt);
  }

  /**
   * May ioredis write `command` now: the connection ready, or connected and not ready yet (`status` 'connect'), where
   * it writes the commands Redis runs while loading, PUBLISH among them (told to the other nodes as this one: gated as
   * when ready), but for its own handshake (under no id; passed, or the connection would never be ready for a beat).
   * Otherwise it fails at once.
   */
  private written(redis: Pick<Redis, 'status'>, command: Command): boolean {
    return redis.status === 'ready' || (redis.status === 'connect' && !HANDSHAKE.has(command.name.toLowerCase()));
  }

  private decides(command: Command): boolean {
    return (command.name.startsWith('eval') ? command.args[2] : command.args[0]) === this.key;
  }
}
