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
 */
import type { Conn } from './conn';
import type { ResolvedOptions } from './options';

export interface Deadlines {
  /** Arms the timer of a connection just opened. */
  arm(conn: Conn): void;
  /** `conn` logged out and stays open: it has `loginTimeoutMs` from now to log in again, as a fresh connection. */
  loggedOut(conn: Conn): void;
}

export function connDeadlines(options: ResolvedOptions, counters: { limit(name: string): void }): Deadlines {
  const { clock, loginTimeoutMs, idleTimeoutMs } = options;
  const lateLogin = (conn: Conn) => {
    if (conn.closed || conn.session) return;
    counters.limit('loginTimeout');
    conn.close(4003, 'no login in time');
  };
  const fire = (conn: Conn) => {
    if (conn.closed) return;
    const now = clock.now();
    const login = conn.session ? Infinity : conn.loginFrom + loginTimeoutMs;
    const idle = conn.lastSeen + idleTimeoutMs;
    if (now >= login) return lateLogin(conn);
    if (now < idle) return void (conn.deadline = clock.setTimeout(() => fire(conn), Math.min(login, idle) - now));
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
  };
}
