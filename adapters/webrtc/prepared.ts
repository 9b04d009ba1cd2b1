/**
 * Devices captured ahead of a call (`WebRtcRoomPort.prepare()`), waiting for its `enter`.
 * Captures run one after another: one that fits is kept (its time starts again), one that does
 * not is stopped before the next is made, so overlapping `prepare()` calls never leak a track;
 * a capture no call takes within 15 s is released, and its timer only ever releases itself.
 * `take` waits for a capture still under way, so a call can be signalled while its devices are
 * captured; a capture that failed fails the `take` with its error (the device is not asked twice).
 * `drop` gives up the captures asked for so far (their command was refused or answered nothing):
 * what is held stops at once, and what is still being captured stops as it lands.
 */
import type { Clock, TimerId } from '../clock';
import { capture } from './media';

/** How long devices captured ahead wait for the call to enter its room. */
export const PREPARED_TTL_MS = 15_000;

interface Held {
  readonly stream: MediaStream;
  readonly video: boolean;
  timer: TimerId;
}

/** The capture made ahead of the next call, if any. */
export class PreparedCapture {
  private held: Held | null = null;
  /** The last capture asked for: the next one starts after it. */
  private queue: Promise<void> = Promise.resolve();
  /** The last capture asked for failed: the `take` for its call fails with its error. */
  private failed: { readonly video: boolean; readonly error: unknown } | null = null;
  /** Captures asked for, and the last of them given up by {@link drop}. */
  private asked = 0;
  private dropped = 0;

  /** @param unwanted true when a capture landing now must be stopped (in a room already, disposed) */
  constructor(
    private readonly clock: Clock,
    private readonly unwanted: () => boolean,
  ) {}

  /** Captures the microphone (and the camera when `video`) after the captures asked for before. */
  prepare(devices: Pick<MediaDevices, 'getUserMedia'>, video: boolean): Promise<void> {
    this.failed = null;
    const n = ++this.asked;
    const run = this.queue.then(() => this.capture(devices, video, n));
    run.catch((error: unknown) => {
      if (this.queue === settled) this.failed = { video, error };
    });
    const settled = run.catch(() => undefined);
    this.queue = settled;
    return run;
  }

  /**
   * The capture for a call with(out) video, once the captures under way are done: the one made
   * ahead if it fits (one that does not is released), else `fresh()`. The capture made ahead for
   * this call failed: its error, and no second capture.
   */
  async take(video: boolean, fresh: () => Promise<MediaStream>): Promise<MediaStream> {
    await this.queue;
    const failed = this.failed;
    this.failed = null;
    if (failed && failed.video === video) throw failed.error;
    const held = this.held;
    if (!held || held.video !== video) {
      this.release();
      return fresh();
    }
    this.clock.clearTimeout(held.timer);
    this.held = null;
    return held.stream;
  }

  /** Gives up every capture asked for so far: held, it stops now; under way, as it lands. */
  drop(): void {
    this.dropped = this.asked;
    this.release();
  }

  /** Stops the capture's tracks (the camera light goes off). */
  release(): void {
    this.failed = null;
    const held = this.held;
    if (!held) return;
    this.held = null;
    this.clock.clearTimeout(held.timer);
    for (const track of held.stream.getTracks()) track.stop();
  }

  private async capture(devices: Pick<MediaDevices, 'getUserMedia'>, video: boolean, n: number): Promise<void> {
    const unwanted = () => this.unwanted() || n <= this.dropped;
    if (unwanted()) return;
    const current = this.held;
    if (current && current.video === video && current.stream.getTracks().every((t) => t.readyState !== 'ended')) {
      this.clock.clearTimeout(current.timer);
      current.timer = this.releaseLater(current);
      return;
    }
    this.release();
    const stream = await capture(devices, video);
    if (unwanted()) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    // A command refused after this (the line got busy meanwhile) must not leave the camera on.
    const held: Held = { stream, video, timer: null };
    held.timer = this.releaseLater(held);
    this.held = held;
  }

  /** Releases `held` when its time is up, unless something else took its place. */
  private releaseLater(held: Held): TimerId {
    return this.clock.setTimeout(() => {
      if (this.held === held) this.release();
    }, PREPARED_TTL_MS);
  }
}
