/**
 * The tokens of sessions another login took over (kicked), so that their resume is refused
 * (`sessionSuperseded`, no kick ping-pong), by digest: a lookup never compares the secret itself.
 * The newest {@link SUPERSEDED_MEMORY} of everyone's, and each user's newest
 * {@link SUPERSEDED_PER_USER}, kept {@link SUPERSEDED_KEPT_MS} after her last kick through her logouts,
 * as a cluster keeps them in Redis (`P:s`, `cluster/scripts.ts`). In the shared memory alone, 4,096
 * kicks of others (an attacker kicking herself, a busy server's device switches overnight) pushed hers
 * out, and her kicked tab resuming with its token kicked her newer session when both held one userSig.
 * One node keeps them in its store too (`superseded_tokens`): in the process only, a restart (a deploy,
 * a crash) forgot them while the store's messages, grants and answers came back.
 */
import type Database from 'better-sqlite3';
import type { TurnCommit } from './commit';

/** Tokens of sessions taken over by another login, everyone's together. */
const SUPERSEDED_MEMORY = 4096;
/** How long a user's superseded tokens are kept after her last kick, through her logouts (the cluster's `P:s`: a week). */
const SUPERSEDED_KEPT_MS = 7 * 86_400_000;
/**
 * A user's superseded tokens kept (her newest), as the cluster keeps them (`P:s`, `cluster/scripts.ts`): every
 * reload of a page is a login that kicks the page before it, so 16 pushed out a sleeping tab's in an afternoon.
 */
export const SUPERSEDED_PER_USER = 256;

type Statements = { readonly add: Database.Statement<[string, string, number]>; readonly drop: Database.Statement<[string, string]>; readonly dropUser: Database.Statement<[string]> };

export class SupersededTokens {
  private readonly everyone = new Set<string>();
  private readonly perUser = new Map<string, Set<string>>();
  /** When each user of {@link perUser} was last kicked, oldest kick first (a kick moves its user to the end). */
  private readonly at = new Map<string, number>();
  private readonly kept: Statements | null;

  /** `db`: the store that keeps them (null: a cluster, which keeps them in Redis); read back at once. */
  constructor(
    db: Database.Database | null,
    private readonly commit: TurnCommit,
    nowMs: number,
  ) {
    this.kept = db ? this.restore(db, nowMs) : null;
  }

  /** True when `digest` is the token of a session of `userID` another login took over. */
  has(userID: string, digest: string): boolean {
    return this.everyone.has(digest) || this.perUser.get(userID)?.has(digest) === true;
  }

  /** `userID`'s session with the token `digest` was taken over at `nowMs`. */
  add(userID: string, digest: string, nowMs: number): void {
    this.everyone.add(digest);
    if (this.everyone.size > SUPERSEDED_MEMORY) this.everyone.delete(this.everyone.values().next().value as string);
    const pushedOut = remember(this.perUser, userID, digest, SUPERSEDED_PER_USER);
    this.at.delete(userID);
    this.at.set(userID, nowMs);
    const kept = this.kept;
    if (kept) {
      this.commit.write(() => {
        kept.add.run(userID, digest, nowMs);
        if (pushedOut !== undefined) kept.drop.run(userID, pushedOut);
      });
    }
  }

  /** The users last kicked a week ago or more are forgotten (only those are looked at). */
  sweep(nowMs: number): void {
    for (const [userID, at] of this.at) {
      if (nowMs - at < SUPERSEDED_KEPT_MS) break;
      this.perUser.delete(userID);
      this.at.delete(userID);
      const kept = this.kept;
      if (kept) this.commit.write(() => kept.dropUser.run(userID));
    }
  }

  /** Reads back the kicked tokens the store keeps (their users' last kick within a week), oldest kick first. */
  private restore(db: Database.Database, nowMs: number): Statements {
    db.exec('CREATE TABLE IF NOT EXISTS superseded_tokens (user_id TEXT NOT NULL, digest TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (user_id, digest))');
    const since = nowMs - SUPERSEDED_KEPT_MS;
    db.prepare('DELETE FROM superseded_tokens WHERE user_id IN (SELECT user_id FROM superseded_tokens GROUP BY user_id HAVING max(at) < ?)').run(since);
    for (const row of db.prepare<[], { user_id: string; digest: string; at: number }>('SELECT user_id, digest, at FROM superseded_tokens ORDER BY at, rowid').all()) {
      remember(this.perUser, row.user_id, row.digest, SUPERSEDED_PER_USER);
      this.at.delete(row.user_id);
      this.at.set(row.user_id, row.at);
    }
    return {
      add: db.prepare('INSERT INTO superseded_tokens (user_id, digest, at) VALUES (?, ?, ?) ON CONFLICT (user_id, digest) DO UPDATE SET at = excluded.at'),
      drop: db.prepare('DELETE FROM superseded_tokens WHERE user_id = ? AND digest = ?'),
      dropUser: db.prepare('DELETE FROM superseded_tokens WHERE user_id = ?'),
    };
  }
}

/** Adds `digest` to `userID`'s set in `memory`, keeping her newest `keep`; the one it pushed out, if any. */
export function remember(memory: Map<string, Set<string>>, userID: string, digest: string, keep: number): string | undefined {
  const digests = memory.get(userID) ?? new Set<string>();
  digests.add(digest);
  let oldest: string | undefined;
  if (digests.size > keep) {
    oldest = digests.values().next().value as string;
    digests.delete(oldest);
  }
  memory.set(userID, digests);
  return oldest;
}
