/**
 * The kicked-userSig rule across the nodes (README, Running a cluster), as this node writes it to Redis:
 * when it kicks a session for a later login, and when a user's session here ends. The takeover's own step
 * in Redis (`hcClaim`) revokes the session the directory names before its node hears of it, so a
 * revocation this node fails to write (Redis down) is not the only one; this node's also covers a session
 * the directory did not name yet, and the kicked tab is told once it is answered (a tab told earlier could
 * come back through another node and be looked up first).
 *
 * Late commands change nothing they should not: a revocation that lands after the user's session ended
 * revokes no userSig (`hcSupersede`), and a session's end frees what was revoked only while no other live
 * session of the user is in the directory (`hcEnded`): a kick ends no session of the user (the newer one
 * lives), so it frees nothing.
 */
import type { Session } from '../conn';
import type { Scripted } from './scripts';

export interface RevocationDeps {
  readonly redis: Scripted;
  /** A key under the service's prefix (`P:<kind>:<id>`). */
  key(kind: string, id: string): string;
  /** How long a revocation lives in Redis at most. */
  readonly ttlMs: number;
  lost(what: string, error: unknown): void;
}

export class Revocations {
  /** Users whose session here ended while Redis was away, with its token: what it superseded is not freed yet. */
  private readonly unended = new Map<string, string>();

  constructor(private readonly deps: RevocationDeps) {}

  /** `kicked` was taken over by a later login: its token and userSig log in no more. Settles once Redis answered (or failed to). */
  supersede(kicked: Session): Promise<void> {
    const { redis, key, ttlMs } = this.deps;
    return redis.hcSupersede(key('s', kicked.token), key('k', kicked.userID), key('d', kicked.userID), ttlMs, kicked.sigDigest).then(
      () => undefined,
      (error: unknown) => this.deps.lost('superseded', error),
    );
  }

  /** At the catch-up: frees what the sessions that ended while Redis was away superseded; rejects when Redis failed. */
  async retry(): Promise<void> {
    await Promise.all([...this.unended].map(([user, token]) => this.ended(user, token, true)));
  }

  /**
   * The last session of `user` here (`token`) ended, not kicked: the userSigs it superseded log in again,
   * unless another session of the user lives. Settles once Redis answered, or failed (then freed at the
   * catch-up; `strict`: the catch-up's own, which rejects).
   */
  ended(user: string, token: string, strict = false): Promise<void> {
    const { redis, key } = this.deps;
    return redis.hcEnded(key('d', user), key('k', user), token, key('s', '')).then(
      () => void this.unended.delete(user), // an earlier end not freed yet is moot: Redis took the user's last
      (error: unknown) => {
        this.deps.lost('revoked', error);
        this.unended.set(user, token);
        if (strict) throw error;
      },
    );
  }
}
