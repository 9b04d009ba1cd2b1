/**
 * The kicked-userSig rule across the nodes (README, Running a cluster), as this node writes it to Redis:
 * when it kicks a session for a later login, and when a user's session here ends. The takeover's own step
 * in Redis (`hcClaim`) revokes the session the directory names before its node hears of it; this node's
 * revocation also covers a session the directory did not name yet, and the kicked tab is told once it is
 * answered (a tab told earlier could come back through another node and be looked up first).
 *
 * A revocation that fails (Redis down, or no answer within the command timeout: ioredis rejects the
 * command, but it was written, and Redis may still run it) is kept and sent again: at each heartbeat, at
 * the catch-up, and ahead of the lookup of a login of its user here (one connection: Redis runs it
 * first). The kicked tab waits for one to be answered. Told on the failure, it came back through another
 * node and kicked the newer login, which one node never allows.
 *
 * Late commands change nothing they should not: a revocation that lands after the user's session ended
 * revokes no userSig (`hcSupersede`, by the epoch of the kicked session's claim: also once a later login
 * claimed the user, which superseded nobody), and a session's end frees what was revoked only while no other live
 * session of the user is in the directory (`hcEnded`): a kick ends no session of the user (the newer one
 * lives), so it frees nothing.
 */
import type { Session } from '../session';
import type { Scripted } from './scripts';

/** A kicked session's revocation not answered yet, and its tab waiting to be told. */
interface Pending {
  readonly user: string;
  readonly token: string;
  readonly digest: string;
  /** Its claim's (the login's, or its last renewal's) epoch; unknown: the largest, so never taken for ended. */
  readonly epoch: number;
  readonly told: () => void;
  sending: Promise<boolean> | null;
}

export interface RevocationDeps {
  readonly redis: Scripted;
  /** This node's ID (the directory names it for the sessions it claimed). */
  readonly node: string;
  /** A key under the service's prefix (`P:<kind>:<id>`). */
  key(kind: string, id: string): string;
  /** How long a revocation lives in Redis at most. */
  readonly ttlMs: number;
  lost(what: string, error: unknown): void;
}

export class Revocations {
  /** By the kicked session's token. */
  private readonly pending = new Map<string, Pending>();
  /** Users whose session here ended while Redis was away, with its token: what it superseded is not freed yet. */
  private readonly unended = new Map<string, string>();
  /** The epoch each session of this node was last claimed with. */
  private readonly epochs = new WeakMap<Session, number>();

  constructor(private readonly deps: RevocationDeps) {}

  /** Revocations not answered yet. */
  get waiting(): number {
    return this.pending.size;
  }

  /** `session` (a login here, a renewal) claims its user with `epoch`. */
  claimed(session: Session, epoch: number): void {
    this.epochs.set(session, epoch);
  }

  /** `kicked` was taken over by a later login: its token and userSig log in no more. Settles once Redis answered. */
  supersede(kicked: Session): Promise<void> {
    return new Promise<void>((told) => {
      const epoch = this.epochs.get(kicked) ?? Number.MAX_SAFE_INTEGER;
      const entry: Pending = { user: kicked.userID, token: kicked.token, digest: kicked.sigDigest, epoch, told, sending: null };
      this.pending.set(kicked.token, entry);
      void this.send(entry);
    });
  }

  /** Before the lookup of a login of `user`: its revocations not answered yet go first, on the same connection. */
  before(user: string): void {
    for (const entry of this.pending.values()) if (entry.user === user) void this.send(entry);
  }

  /** Sends again every revocation not answered yet, then frees what ended sessions superseded; rejects when one failed. */
  async retry(): Promise<void> {
    const sent = await Promise.all([...this.pending.values()].map((entry) => this.send(entry)));
    if (sent.includes(false)) throw new Error('a revocation is still unanswered');
    await Promise.all([...this.unended].map(([user, token]) => this.ended(user, token, true)));
  }

  /**
   * The last session of `user` here (`token`) ended, not kicked: the userSigs it superseded log in again,
   * unless another session of the user lives. Settles once Redis answered, or failed (then freed at the
   * catch-up; `strict`: the catch-up's own, which rejects).
   */
  ended(user: string, token: string, strict = false): Promise<void> {
    const { redis, key } = this.deps;
    return redis.hcEnded(key('d', user), key('k', user), key('s', user), token, this.deps.node).then(
      () => void this.unended.delete(user), // an earlier end not freed yet is moot: Redis took the user's last
      (error: unknown) => {
        this.deps.lost('revoked', error);
        this.unended.set(user, token);
        if (strict) throw error;
      },
    );
  }

  /** The node is closing: the kicked tabs still waiting are told (their connections go with it). */
  stop(): void {
    for (const entry of this.pending.values()) entry.told();
    this.pending.clear();
  }

  /** One try at a time per revocation; true once answered. */
  private send(entry: Pending): Promise<boolean> {
    const { redis, key, ttlMs } = this.deps;
    entry.sending ??= redis.hcSupersede(key('s', entry.user), key('k', entry.user), key('d', entry.user), ttlMs, entry.digest, entry.epoch, entry.token).then(
      () => {
        if (this.pending.get(entry.token) === entry) this.pending.delete(entry.token);
        entry.told();
        return true;
      },
      (error: unknown) => {
        this.deps.lost('superseded', error);
        entry.sending = null;
        return false;
      },
    );
    return entry.sending;
  }
}
