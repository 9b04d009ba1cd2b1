/**
 * Remote views asked for before their user is in the call: an app that lays out its call screen as it dials (or as
 * it accepts) names the peer's element before the peer's stream is there. trtc-calling-js resolves such a
 * `startRemoteView()` and shows nothing (it plays only a stream it has); ours remembers the element and plays the
 * video there when the user enters the call (`USER_ENTER`: its stream has arrived), before that event is told; and
 * again each time that user enters it anew (left a group call and came back): the tile laid out for them is theirs
 * until `stopRemoteView()` of that user (and element), or the call's end. (A view asked for while its user is in the
 * call goes when they leave, as the room's stream does: the app that asked then asks again on their `USER_ENTER`.)
 * An element not on the page when the video would play there is skipped, nothing told (the view stays for the user's
 * next entry), as a local view waiting for the capture is: trtc-calling-js tells nothing of a play into no element
 * (TRTC's play rejects, nobody catches it), and an app that removed its tile has moved on. A view asked for into no
 * element while its video is there is refused instead: its caller awaits it.
 * Each is the call's it was asked in (its actor, one per call: a glare merging it into the peer's invitation changes
 * its inviteID, not its actor): an invitation that rang and ended unanswered (cancelled, refused, timed out) tells no
 * `call.ended`, and its views must not play in the next call.
 *
 * Not call state: the call's actors own who is in the call; this is the app's wish of where a video goes, as the
 * room port keeps the views it shows.
 */
import type { Notice } from '../machines/events';
import type { CallingError } from './errors';

export class PendingViews {
  /** userID -> the elements its video goes to once it enters. */
  readonly #waiting = new Map<string, Set<string>>();
  /** The call (its actor) the views in {@link #waiting} were asked in. */
  #call: unknown = undefined;

  constructor(
    /** The live call's actor (`undefined`: none). */
    private readonly live: () => unknown,
    /** Plays `userID`'s video in `domID` (the room port's `startRemoteView`); rejects with the typed error. */
    private readonly play: (userID: string, domID: string) => Promise<void>,
    /** A play that failed once the user entered, not for its element (the room's failure): nobody awaits it, so it is told as ERROR. */
    private readonly failed: (payload: { code: number; msg: string; cause: unknown }) => void,
  ) {}

  /** `userID`'s video goes to `domID` once the user enters the live call (another call's views are dropped). */
  wait(userID: string, domID: string): void {
    if (this.live() !== this.#call) this.#waiting.clear();
    this.#call = this.live();
    this.#waiting.set(userID, (this.#waiting.get(userID) ?? new Set()).add(domID));
  }

  /** `stopRemoteView()`: `userID`'s video no longer goes to `domID`; without one, to no element. */
  forget(userID: string, domID?: string): void {
    const domIDs = this.#waiting.get(userID);
    if (domID !== undefined) domIDs?.delete(domID);
    if (domID === undefined || domIDs?.size === 0) this.#waiting.delete(userID);
  }

  /** The machines' notice: a user who entered (again) gets the views that wait for it; the call's end forgets them all. */
  notice(notice: Notice): void {
    if (notice.type === 'call.ended') return this.#waiting.clear();
    if (notice.type !== 'call.userEntered') return;
    if (this.live() !== this.#call) return this.#waiting.clear(); // asked in a call that ended untold
    // An element gone by now (or never there: InvalidParameterError, -1202, spelled out: ERROR_CODE's lookup costs the
    // bundle 15 bytes more) is skipped, as a pending local view is: the app that removed it moved on.
    for (const domID of this.#waiting.get(notice.userID) ?? []) this.play(notice.userID, domID).catch((e: CallingError) => e.code === -1202 || this.failed({ code: e.code, msg: e.message, cause: e.cause }));
  }

  /** `destroy()`: nothing waits any more. */
  clear(): void {
    this.#waiting.clear();
  }
}
