/**
 * Where the WebRTC room shows video: one `<video>` per DOM id, the local capture's (`userID`
 * null) or a remote member's. A local view asked for before the capture waits for it.
 */
import type { UserID } from '../../machines/types';
import { RoomPortError } from '../RoomPort';
import { videoElement } from './media';

/** An element id that names no element: the app's parameter (-1202, as the facade's own checks). */
const fail = (message: string) => new RoomPortError(-1202, message, 'invalidParameter');

export class VideoViews {
  /** DOM id -> the `<video>` put there, and whose it is (`null` = local). */
  readonly #views = new Map<string, { readonly video: HTMLVideoElement; readonly userID: UserID | null }>();
  /** Local views asked for before the capture. */
  readonly #pendingLocal = new Set<string>();

  constructor(
    private readonly document: () => Document | undefined,
    /** The local user (the local `<video>` is labelled with it). */
    private readonly self: () => UserID,
  ) {}

  /** The local view in `domID`: now when `local` is captured, else once it is ({@link captured}). */
  startLocal(domID: string, local: MediaStream | null): void {
    if (!domID) throw fail('empty videoViewDomID');
    if (local) return this.show(domID, local, null);
    this.#pendingLocal.add(domID); // its element may come before the capture (a dialog rendered after INVITED)
  }

  /** The local view in `domID`, or every local view (`undefined`), asked for or shown. */
  stopLocal(domID: string | undefined): void {
    if (domID === undefined) this.#pendingLocal.clear();
    else this.#pendingLocal.delete(domID);
    this.hide(domID, null);
  }

  /** The capture is here: the local views asked for before it show it (an element gone meanwhile is skipped). */
  captured(local: MediaStream): void {
    for (const domID of this.#pendingLocal) {
      try {
        this.show(domID, local, null);
      } catch {
        // the element went away before the capture: nothing to show
      }
    }
    this.#pendingLocal.clear();
  }

  /** The local capture's video track was replaced: its views show `local` anew. */
  localChanged(local: MediaStream): void {
    for (const { video, userID } of this.#views.values()) if (userID === null) video.srcObject = local;
  }

  /** Every view of `userID` goes (a member who left; `null`: the local views). */
  hideAllOf(userID: UserID | null): void {
    for (const [domID, view] of this.#views) if (view.userID === userID) this.hide(domID, userID);
  }

  /** Every view goes, the waiting ones too (the room was left). */
  clear(): void {
    for (const [domID, view] of this.#views) this.hide(domID, view.userID);
    this.#pendingLocal.clear();
  }

  show(domID: string, stream: MediaStream, userID: UserID | null): void {
    if (!domID) throw fail('empty videoViewDomID');
    const container = this.#element(domID);
    this.#views.get(domID)?.video.remove();
    const video = videoElement(container.ownerDocument, stream, userID ?? this.self(), userID === null);
    container.appendChild(video);
    this.#views.set(domID, { video, userID });
  }

  #element(domID: string): HTMLElement {
    const element = this.document()?.getElementById(domID);
    if (!element) throw fail(`no element with id "${domID}"`);
    return element;
  }

  /** Removes the view in `domID` if it is `userID`'s; every view of `userID` without one. */
  hide(domID: string | undefined, userID: UserID | null): void {
    if (domID === undefined) return this.hideAllOf(userID);
    const view = this.#views.get(domID);
    if (!view || view.userID !== userID) return;
    view.video.srcObject = null;
    view.video.remove();
    this.#views.delete(domID);
  }
}
