import type { Clock } from './clock';
import type { ImPort, Unsubscribe } from './ImPort';
import type { RoomPort } from './RoomPort';

/**
 * What `new TRTCCalling({ backend })` takes: one IM port and one room port for one user,
 * and optionally the clock and ID sources the backend wants the core to run on
 * (the memory network supplies its simulated clock and deterministic IDs).
 */
export interface Backend {
  readonly name: string;
  readonly im: ImPort;
  readonly room: RoomPort;
  readonly clock?: Clock;
  /** New invite IDs (TSignaling uses v4 UUIDs). */
  readonly inviteIdGen?: () => string;
  /** New TRTC room IDs: integers in 1..2^31-1 (Tencent's web client cannot join a larger one). */
  readonly roomIdGen?: () => number;
  /** Many devices: this client logs in as one device of its user (the core then never declines for the others). */
  readonly multiDevice?: boolean;
  /**
   * Many devices: the IM holds a device's busy answer until every device of the user is busy (the
   * embedded server, the memory network). Absent (Tencent IM syncs only), a busy or departing
   * device answers nothing, so that another may still answer and the caller hears one answer.
   */
  readonly busyHeld?: boolean;
  /**
   * Releases what the backend holds (its connections, devices, listeners); `TRTCCalling.destroy()`
   * calls it last, after the call ended and the line logged out.
   */
  dispose?(): Promise<void>;
  /**
   * The host is going away for good (a browser page's `pagehide`): `TRTCCalling` destroys
   * itself when told, so the others hear at once that its call is over. Browser backends offer it.
   */
  onUnload?(listener: () => void): Unsubscribe;
}
