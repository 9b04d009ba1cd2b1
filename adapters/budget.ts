import type { Clock } from './clock';

/**
 * A token bucket on the client's clock: `burst` at once, then one more every `everyMs`. The WebRTC
 * room paces what it answers and sends with it (`webrtc/mesh.ts`, `webrtc/pacer.ts`), and a
 * connection models the server's rate with it (`ws/outRate.ts`), so another member's messages
 * cannot make this client send past that rate (each frame refused for it is a strike, and a
 * connection out of strikes is closed: the user would be logged out by someone else's traffic).
 */
export class Budget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly clock: Clock,
    private burst: number,
    private everyMs: number,
  ) {
    this.tokens = burst;
    this.at = clock.now();
  }

  /** Takes one if there is one. */
  take(): boolean {
    if (this.left() < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes one whatever is left (what was spent anyway: a frame written). */
  spend(): void {
    this.left();
    this.tokens -= 1;
  }

  /** From now on `burst` at once and one every `everyMs` (what is left stays, up to the new burst). */
  reshape(burst: number, everyMs: number): void {
    this.left();
    this.burst = burst;
    this.everyMs = everyMs;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** What is left now (below zero once more was spent than the bucket held). */
  left(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.at) / this.everyMs);
    this.at = now;
    return this.tokens;
  }
}
