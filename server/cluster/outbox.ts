/**
 * What a node moves out to a user's stream (`mailbox.ts`, its forward): its copies for the user, in delivery order,
 * those stored in its SQLite and those not written yet, held by write-behind (`writeBehind.ts`: a message to a user with
 * no session here is held as one handed to connections is, `Mailer.send`). A held copy that Redis takes is dropped from
 * its write, as a confirmed one is: neither its insert nor its delete reaches SQLite. In `npm run bench:server -- --nodes 2`
 * those commits were 7.5% of a node's time (2026-12-07), every copy that crossed nodes written, read back and deleted.
 *
 * Order per recipient: delivery ids grow in routing order, and a page lists every copy for the user past `after` that
 * the node holds, stored or not, merged by id. What it leaves out comes after everything it lists: a stored copy whose
 * turn's commit is under way, a held one whose turn's commit is (`WriteBehind.unstoredFor`: moved before that commit, it
 * could not be taken back if the commit failed, its sender told it failed), and each copy after those. A held copy being
 * written (its window ended) is listed too, held or stored by the time its move ends, never in neither.
 *
 * Nothing lost: a held copy leaves memory only once Redis said it took it. Redis failing or refusing it (a blip, the
 * node's id unconfirmed: `idGate.ts`, a stream's quota), it is written, at once (`StreamMailbox.forwardNow`), and its
 * sender's ack waits for that commit, as it waited for the turn's before: it says the copy is stored, here or in Redis.
 */
import type { Mailer } from '../mail';
import type { PendingCopy, Store } from '../store';
import type { TurnCommit } from '../commit';
import type { Held } from '../writeBehind';

/** A copy to move out: `held` when it is not in the store yet (its message held, or its write under way). */
export interface OutCopy extends PendingCopy {
  readonly held: Held | null;
  /** Payload bytes. */
  readonly bytes: number;
}

/** Up to `limit` unexpired copies for `user` past delivery `after`, stored or held, in delivery order. */
export function outPage(store: Store, mailer: Mailer, user: string, after: number, now: number, limit: number): OutCopy[] {
  const stored: OutCopy[] = store.pendingFor(user, after, now, limit).map((c) => ({ ...c, held: null, bytes: Buffer.byteLength(c.payload) }));
  const unstored = mailer.writeBehind.unstoredFor(user, after, now);
  if (unstored.length === 0) return stored;
  const page: OutCopy[] = [];
  let i = 0;
  for (const { held, delivery } of unstored) {
    while (i < stored.length && (stored[i] as OutCopy).delivery < delivery) page.push(stored[i++] as OutCopy);
    // In both (its write committed just now): once, as stored.
    if (i < stored.length && (stored[i] as OutCopy).delivery === delivery) continue;
    page.push({ ...held.body, delivery, held, bytes: held.bytes });
  }
  while (i < stored.length) page.push(stored[i++] as OutCopy);
  // Past a full page of stored ones, the rest is the next page's (a held copy past them would overtake those unread).
  const last = stored.length === limit ? (stored[limit - 1] as OutCopy).delivery : Infinity;
  return page.filter((c) => c.delivery <= last).slice(0, limit);
}

/**
 * `moved` (copies for `user`) are in its stream: the held ones leave memory unwritten, counted no more; the stored ones
 * (and those whose write was under way) are deleted in the turn's commit, counted no more if that delete takes them.
 */
export function movedOut(store: Store, commit: TurnCommit, mailer: Mailer, user: string, moved: readonly OutCopy[]): void {
  const stored = moved.filter((c) => {
    const gone = c.held && mailer.writeBehind.moved(c.held, c.delivery);
    if (gone) mailer.counts.removed(c.from, user, c.bytes, { copy: true, body: gone.bodyGone });
    return !gone;
  });
  // Not a copy already gone: during the round trip its recipient may have logged in here, been handed it and confirmed
  // it, or the purge taken it, and both uncounted it. One handed and not confirmed yet goes too: the stream holds it,
  // and this node takes it in again for him.
  if (stored.length > 0) commit.write(() => stored.forEach((c) => mailer.counts.removed(c.from, user, c.bytes, store.removeCopy(c.delivery, user, c.id))));
}
