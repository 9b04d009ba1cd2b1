/**
 * A login's backlog, held until the server says where it ends (`backlog` frames, to a login that
 * asked: `server/backlogMarks.ts`), then told but for what settled while the user was away: a stored
 * invitation its caller withdrew or timed out, or another device of ours answered, and the messages
 * that settled it, ring nothing, as Tencent's replay drops them (`settledInvitations.ts`). Before
 * 2026-12-07 the app was told INVITED and at once CALLING_CANCEL: a flash of ringing at login.
 *
 * Receipts: a held message is not confirmed until it is told (or dropped, which confirms it: else the
 * server would deliver it again at every login); the server stops paging at a full window and says
 * so (`more: true`), and what is held is told then, so the two never wait for each other. What is held
 * when the connection ends for good (logout, kick) is neither told nor confirmed, and comes again at
 * the next login. What comes after the mark is told as it comes: an invitation of the backlog whose
 * cancel comes later rings, and stops.
 */
import { withoutSettled } from '../settledInvitations';

/** A message held, and the function that confirms it (`Inbox.accept`). */
export interface HeldMessage<F> {
  readonly frame: F;
  readonly taken: () => void;
}

/** The messages of a login's backlog, held until its end. */
export class Backlog<F extends { readonly from: string; readonly payload: string; readonly sentAt: number }> {
  /** `null`: not holding (a server that marks no backlog, or past its end). */
  private held: HeldMessage<F>[] | null = null;

  /** A login was answered whose server will say where its backlog ends: messages are held until then (those held before a drop too). */
  start(): void {
    this.held ??= [];
  }

  /** Holds `frame` when a backlog is under way (true), else leaves it to be told at once (false). */
  hold(frame: F, taken: () => void): boolean {
    if (this.held === null) return false;
    this.held.push({ frame, taken });
    return true;
  }

  /**
   * Tells what the backlog held so far to `tell`, in order, but what is settled for `self` (confirmed
   * untold); `more`: the backlog goes on (its end is still to be said), else it ended. Throws what the first
   * `tell` threw, once every one was told.
   */
  release(self: string, more: boolean, tell: (frame: F, taken: () => void) => void): void {
    const held = this.held ?? [];
    this.held = more ? [] : null;
    const { kept, dropped } = withoutSettled(held.map((h) => ({ ...h.frame, held: h })), self);
    for (const { held: h } of dropped) h.taken();
    // Each told whatever the one before threw (an app's error handler that rethrows): else the rest were neither told nor
    // confirmed, and held back every later receipt until the next login. The first error goes on once all were told.
    let failed: { readonly error: unknown } | undefined;
    for (const { held: h } of kept) {
      try {
        tell(h.frame, h.taken);
      } catch (error) {
        failed ??= { error };
      }
    }
    if (failed) throw failed.error;
  }

  /** The connection ended for good: what was held is neither told nor confirmed, and `inbox` forgets it (it comes again at the next login). */
  discard(inbox: { forget(id: string): void }, idOf: (frame: F) => string): void {
    for (const { frame } of this.held ?? []) inbox.forget(idOf(frame));
    this.held = null;
  }
}
