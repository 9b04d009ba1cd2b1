/**
 * The server's one log budget: every line a client can cause (a refused frame or connection, a
 * demo userSig, a socket or store error) is one short line (never a stack trace), at most
 * `perSecond` lines a second for the whole server. Lines over the budget are counted; the next
 * line that gets through says how many were left out, and so does {@link ThrottledLog.flush}
 * (the server's periodic sweep) when none does, so a flood costs the log almost nothing and is
 * never silent.
 */
import { TokenBucket } from './limits';
import type { Logger, ServerClock } from './options';

/** Longest message kept in a log line. */
const MESSAGE_CHARS = 160;

/** Rate-limited warnings. */
export class ThrottledLog {
  private readonly budget: TokenBucket;
  private skipped = 0;
  /** Lines left out so far (for the metrics). */
  suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly clock: ServerClock,
    perSecond: number,
  ) {
    this.budget = new TokenBucket(perSecond, Math.max(1, perSecond * 2), clock.now());
  }

  /** Logs a warning if the budget allows; string fields are cut short. */
  warn(message: string, fields: Record<string, unknown>): void {
    this.line('warn', message, fields);
  }

  /** Logs an error if the budget allows (the same budget). */
  error(message: string, fields: Record<string, unknown>): void {
    this.line('error', message, fields);
  }

  /** Says how many lines were left out since the last line that got through, if any were. */
  flush(): void {
    if (this.skipped === 0) return;
    this.logger.warn('log lines suppressed', { suppressed: this.skipped });
    this.skipped = 0;
  }

  private line(level: 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
    if (!this.budget.take(this.clock.now())) {
      this.skipped++;
      this.suppressed++;
      return;
    }
    const short: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) short[key] = typeof value === 'string' ? value.slice(0, MESSAGE_CHARS) : value;
    }
    if (this.skipped > 0) short.suppressed = this.skipped;
    this.skipped = 0;
    this.logger[level](message, short);
  }
}

/** An error as one line: its message and where it was thrown, never the whole stack. */
export function describeError(error: unknown): { readonly error: string; readonly at?: string } {
  if (!(error instanceof Error)) return { error: String(error).slice(0, MESSAGE_CHARS) };
  const at = error.stack?.split('\n').find((line) => line.trim().startsWith('at '))?.trim();
  return { error: `${error.name}: ${error.message}`.slice(0, MESSAGE_CHARS), ...(at ? { at: at.slice(0, MESSAGE_CHARS) } : {}) };
}
