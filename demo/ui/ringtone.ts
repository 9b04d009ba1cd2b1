/**
 * A ringtone made with WebAudio (two tones, like a phone's ring), so the page downloads no
 * sound file. Browsers only let a page play sound after a user gesture: `unlock()` is called
 * from the sign-in click. `document.body.dataset.ringtone` says whether it rings (tests read it).
 */
export class Ringtone {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Creates the audio context during a user gesture, so that a later ring can play. */
  unlock(): void {
    const Ctx = globalThis.AudioContext;
    if (!Ctx) return;
    this.ctx ??= new Ctx();
    void this.ctx.resume().catch(() => undefined);
  }

  get playing(): boolean {
    return this.timer !== null;
  }

  /** Rings every 3 s until {@link Ringtone.stop}. */
  start(): void {
    if (this.timer !== null) return;
    document.body.dataset.ringtone = 'on';
    this.ring();
    this.timer = setInterval(() => this.ring(), 3000);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    document.body.dataset.ringtone = 'off';
  }

  /** Two short bursts of 440 + 480 Hz. */
  private ring(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    void ctx.resume().catch(() => undefined);
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    const t0 = ctx.currentTime;
    gain.gain.setValueAtTime(0, t0);
    for (const start of [0, 0.6]) {
      gain.gain.linearRampToValueAtTime(0.15, t0 + start + 0.02);
      gain.gain.setValueAtTime(0.15, t0 + start + 0.4);
      gain.gain.linearRampToValueAtTime(0, t0 + start + 0.45);
    }
    for (const frequency of [440, 480]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start(t0);
      osc.stop(t0 + 1.1);
    }
  }
}
