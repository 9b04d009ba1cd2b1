/**
 * A connection's two deadlines, exact on the server's clock: the login's (`loginTimeoutMs` from its opening or its
 * logout, for one with no session) and the silence's (`idleTimeoutMs` from its last frame). One timer per connection
 * (`Conn.deadline`), cleared as it closes. A frame moves the idle deadline by writing `conn.lastSeen` alone, so the
 * frame's path does no timer work (issue 14 measures the server's CPU per call setup): the timer, armed for the
 * deadline as it stood, finds the later one as it fires and is armed again for it, once per idle timeout on a
 * connection that keeps talking. Before 2026-12-07 both were the periodic sweep's, every quarter of the shorter:
 * up to 2.5 s late by default. A connection that logs out has no session again, as a fresh one: its login deadline
 * starts anew from its logout (`conn.loginFrom`), exact as a fresh one's (it was the sweep's, which closed it at its
 * first round once the deadline from its opening was past: at once, in effect, for any older connection).
 *
 * The deadline measures the client's lateness, not the server's: a cluster node looks a login up in Redis before it
 * handles it (`cluster/gate.ts`), and a login received in time is not closed 4003 while that lookup is out (it was,
 * 2026-12-07). Bounded still, on the server's clock: {@link LOGIN_LOOKUP_MS} plus the budget ask's `budgetAskMs` from
 * the login's receipt, past which the connection is closed 1013 (try again later: a Redis that never answers holds
 * no connection for good). The lookup's own bounds come well before (Redis's command timeout, 2 s; the ask's).
 */
import type { Conn } from './conn';
import type { ResolvedOptions } from './options';

/** How long past its receipt a login's lookup in Redis may hold the connection, beside the budget ask's `budgetAskMs`. */
export const LOGIN_LOOKUP_MS = 5_000;
/** The close of a connection whose login the cluster store did not answer within its bound: try again (another node). */
const TRY_AGAIN_LATER = 1013;

export interface Deadlines {
  /** Arms the timer of a connection just opened. */
  arm(conn: Conn): void;
  /** `conn` logged out and stays open: it has `loginTimeoutMs` from now to log in again, as a fresh connection. */
  loggedOut(conn: Conn): void;
  /** Cluster: the lookup of `conn`'s login is over (`conn.loginLookup` cleared): without a session, its deadline is as if there had been none (past: closed now). */
  lookedUp(conn: Conn): void;
}

export function connDeadlines(options: ResolvedOptions, counters: { limit(name: string): void }): Deadlines {
  const { clock, loginTimeoutMs, idleTimeoutMs } = options;
  const lookupMs = LOGIN_LOOKUP_MS + options.budgetAskMs;
  const fire = (conn: Conn) => {
    if (conn.closed) return;
    const now = clock.now();
    const login = conn.session ? Infinity : conn.loginFrom + loginTimeoutMs;
    // A login received by the deadline and still looked up holds it: the server's time, bounded on its own.
    const held = conn.session || conn.loginLookup === null || conn.loginLookup > login ? null : Math.max(login, conn.loginLookup + lookupMs);
    const due = held ?? login;
    const idle = conn.lastSeen + idleTimeoutMs;
    if (now >= due) {
      counters.limit(held === null ? 'loginTimeout' : 'loginLookupTimeout');
      return held === null ? conn.close(4003, 'no login in time') : conn.close(TRY_AGAIN_LATER, 'the cluster store did not answer the login');
    }
    if (now < idle) return void (conn.deadline = clock.setTimeout(() => fire(conn), Math.min(due, idle) - now));
    counters.limit('idleTimeout');
    conn.terminate();
  };
  return {
    arm: (conn) => {
      conn.deadline = clock.setTimeout(() => fire(conn), Math.min(loginTimeoutMs, idleTimeoutMs));
    },
    loggedOut: (conn) => {
      if (conn.closed || conn.session) return;
      conn.loginFrom = clock.now();
      // Armed for the idle deadline, or a login deadline now gone: armed again for what is nearer now.
      clock.clearTimeout(conn.deadline);
      conn.deadline = clock.setTimeout(() => fire(conn), Math.min(loginTimeoutMs, conn.lastSeen + idleTimeoutMs - conn.loginFrom));
    },
    lookedUp: (conn) => {
      if (conn.closed || conn.session || conn.loginLookup !== null) return;
      clock.clearTimeout(conn.deadline); // armed for the lookup's bound, maybe: past the login deadline
      fire(conn);
    },
  };
}
