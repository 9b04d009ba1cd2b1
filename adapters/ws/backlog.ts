/**
 * A login's backlog, held until the server says where it ends (`backlog` frames, to a login that
 * asked: `server/backlogMarks.ts`), then told but for what settled while the user was away: a stored
 * invitation its caller withdrew or timed out, or another device of ours answered, and the messages
 * that settled it, ring nothing, as Tencent's replay drops them (`settledInvitations.ts`). Before
 * 2026-12-07 the app was told INVITED and at once CALLING_CANCEL: a flash of ringing at login.
 *
 * Receipts: a held message is not confirmed until it is told (or dropped, which confirms it: else the
 * server would deliver it again at every login); the server stops paging at a full window and says
 * so (`more: true`), and the two must not wait for each other. Then what cannot ring is told (and
 * confirmed), and what settles so far is dropped; the invitations not settled yet, and the messages
 * of their calls, stay held and unconfirmed (set aside: a server whose `loggedIn` says
 * `partialReceipts` takes a receipt that keeps them in its window and pages on), and the settled rule
 * is applied to them again with every page, and at the end: an invitation on one page whose cancel
 * comes on a later one rings nothing either (before 2026-12-07 night it rang, then stopped). They
 * hold at most half the window as the page showed it (what was held at its `more: true`), so that
 * every page brings at least half a window of new messages, and {@link MAX_WAITING} at most; past
 * that, the oldest are told (they may ring, then stop, as before). A `more: true` that brought
 * nothing new (the server marks again while its window stays full) changes nothing. Told at the end, such an
 * invitation comes after the later messages of other calls (its own call's messages stay behind
 * it), with the time it has left to ring by its `sentAt`, as ever (each page costs a round trip: a
 * backlog of 40 windows holds it some 40 round trips, and one past its ring time rings nothing). A
 * server without `partialReceipts`: what is held is told at `more: true`, as before.
 *
 * What is held when the connection ends for good (logout, kick) is neither told nor confirmed, and
 * comes again at the next login. What comes after the mark is told as it comes: an invitation of the
 * backlog whose cancel comes later (sent as the user logs in) rings, and stops.
 */
import { settledIn } from '../settledInvitations';
import { MAX_EXCEPT } from './protocol';

/**
 * The most messages held across pages: a receipt's `except` names each (its copy on the connection: a resumed one
 * names none of the dropped connection's, `Inbox.resumed`), and the server refuses one past {@link MAX_EXCEPT}. Half
 * the default window is 128.
 */
const MAX_WAITING = MAX_EXCEPT / 4;

/** A message held, and the function that confirms it (`Inbox.accept`). */
export interface HeldMessage<F> {
  readonly frame: F;
  readonly taken: () => void;
}

/** The messages of a login's backlog, held until its end. */
export class Backlog<F extends { readonly from: string; readonly payload: string; readonly sentAt: number }> {
  /** `null`: not holding (a server that marks no backlog, or past its end). */
  private held: HeldMessage<F>[] | null = null;
  /** A message was held since the last `more: true`, or the connection is new: the next `more: true` is judged (see {@link Backlog.release}). */
  private fresh = false;

  /** A login was answered whose server will say where its backlog ends: messages are held until then (those held before a drop too). */
  start(): void {
    this.held ??= [];
    this.fresh = true; // a new connection's window: its first mark is judged (a smaller window after a restart may hold only what waits)
  }

  /** Holds `frame` when a backlog is under way (true), else leaves it to be told at once (false). */
  hold(frame: F, taken: () => void): boolean {
    if (this.held === null) return false;
    this.held.push({ frame, taken });
    this.fresh = true;
    return true;
  }

  /**
   * Tells what the backlog held so far to `tell`, in order, but what is settled for `self` (confirmed
   * untold); `more`: the backlog goes on (its end is still to be said), else it ended. With `more` and
   * `setAside` (the server takes receipts that keep some messages unconfirmed), the invitations not
   * settled yet and their calls' messages stay held, each set aside (see the header). Throws what the
   * first `tell` threw, once every one was told.
   */
  release(self: string, more: boolean, tell: (frame: F, taken: () => void) => void, setAside?: (frame: F) => void): void {
    // The server says `more: true` again while its window stays full (a cluster node's take-in from Redis ends, say)
    // before the receipt of what the last one told reached it: nothing came since, and judged again over only the
    // messages that wait, the bound (half of what is held) told the oldest invitation, which rang, then stopped.
    if (more && !this.fresh) return;
    this.fresh = false;
    const held = this.held ?? [];
    const { dropped, waiting } = sorted(held, self, more && setAside !== undefined);
    this.held = more ? held.filter((_, i) => waiting.has(i)) : null;
    for (const i of dropped) held[i]?.taken();
    if (setAside) for (const h of this.held ?? []) setAside(h.frame);
    // Each told whatever the one before threw (an app's error handler that rethrows): else the rest were neither told nor
    // confirmed, and held back every later receipt until the next login. The first error goes on once all were told.
    let failed: { readonly error: unknown } | undefined;
    held.forEach((h, i) => {
      if (dropped.has(i) || waiting.has(i)) return;
      try {
        tell(h.frame, h.taken);
      } catch (error) {
        failed ??= { error };
      }
    });
    if (failed) throw failed.error;
  }

  /** The connection ended for good: what was held is neither told nor confirmed, and `inbox` forgets it (it comes again at the next login). */
  discard(inbox: { forget(id: string): void }, idOf: (frame: F) => string): void {
    for (const { frame } of this.held ?? []) inbox.forget(idOf(frame));
    this.held = null;
  }
}

/**
 * The held messages by index: those `dropped` (a settled invitation and what settled it), and, `wait`ing
 * (the backlog goes on), those kept held: each invitation not settled yet (not ours) and the later
 * messages under its inviteID, at most half of `held` and {@link MAX_WAITING} (the oldest invitations told first beyond that).
 */
function sorted<F extends { readonly from: string; readonly payload: string; readonly sentAt: number }>(
  held: readonly HeldMessage<F>[],
  self: string,
  wait: boolean,
): { readonly dropped: ReadonlySet<number>; readonly waiting: ReadonlySet<number> } {
  const none = new Set<number>();
  // One message alone settles nothing (the common case at a login), nor waits (half a window of one is none): no decoding.
  if (held.length < 2) return { dropped: none, waiting: none };
  const { decoded, invitations, settling } = settledIn(held.map(({ frame: m }) => ({ from: m.from, payload: m.payload, at: m.sentAt })), self);
  const dropped = new Set([...invitations, ...settling]);
  if (!wait) return { dropped, waiting: none };
  /** The calls to wait for, by inviteID, oldest first: the messages held for each. */
  const calls = new Map<string, number[]>();
  decoded.forEach((d, i) => {
    if (!d.ok || dropped.has(i)) return;
    const call = calls.get(d.signal.inviteID);
    if (call) call.push(i);
    else if (d.signal.kind === 'invite' && held[i]?.frame.from !== self) calls.set(d.signal.inviteID, [i]);
  });
  const kept = [...calls.values()];
  let count = kept.reduce((n, call) => n + call.length, 0);
  while (count > Math.min(Math.floor(held.length / 2), MAX_WAITING)) count -= kept.shift()?.length ?? count;
  return { dropped, waiting: new Set(kept.flat()) };
}
