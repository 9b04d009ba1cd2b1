/**
 * The cluster's login gate: a connection's frames, in order, with a login looked up in Redis before it
 * is handled (the user's epoch, whether its token or userSig was superseded, its budgets: `node.ts`,
 * prepare) and the frames behind it waiting for it. Cheapest check first, as on one node (README,
 * Security model): a frame's rate (per connection, and per user once logged in) is taken before the
 * frame is even peeked at, so a connection over its rate never makes the node verify a userSig nor
 * Redis run a script; a closed connection's frames are dropped, its queued logins never looked up; and
 * what waits behind a lookup is bounded (frames and bytes), a frame past it refused as one over the rate.
 */
import type { Conn } from '../conn';
import { ridOfRaw } from '../dispatch';
import type { Logger, ResolvedOptions } from '../options';
import type { Session } from '../session';
import { type LoginPeek, parseJson, peekLogin } from './frames';

/**
 * What a lookup says: the login's epoch and what its user holds as a sender in the streams (copies, bytes), or why it
 * is refused. The holdings travel with the verdict, kept by the node only once the login made a session
 * ({@link GateDeps.loggedIn}): only a session's end forgets them, so a login that never makes one must keep nothing.
 */
export type Verdict = Prepared | 'superseded' | 'revoked';

/** A login Redis lets in: its epoch, and its user's holdings in the streams as PREPARE read them. */
export interface Prepared {
  readonly epoch: number;
  readonly held: number;
  readonly heldBytes: number;
}

/** Refusals the gate answers with. */
export type GateRefusal = 'unavailable' | 'sessionSuperseded' | 'rateLimited';

/** How the gate hands a connection's frames on (the server's intake for that connection). */
export interface GateIntake {
  /** The frame's rate (`Dispatcher.admit`): false when it was refused, or the connection is closed. */
  admit(data: Buffer, isBinary: boolean): boolean;
  /** Handles a frame whose rate was taken. */
  run(data: Buffer, isBinary: boolean): void;
  /** Answers an error frame (a strike for a client fault, as the dispatcher counts them). */
  refuse(rid: number | undefined, code: GateRefusal, message: string, limit?: string): void;
  /** A frame waits behind a lookup or a hold: observers (the server's `tap`) count it taken in now. */
  held(): void;
  /** A login's lookup is over (`conn.loginLookup` cleared): the connection's login deadline, which it held, applies again (`deadlines.ts`). */
  lookedUp(): void;
  /** The intake of the frames that waited, handled later: the same, but observers were told already. */
  readonly replay: GateIntake;
}

/** Frames waiting behind a login's lookup or a refusal decided again, and their bytes. */
interface Waiting {
  readonly frames: [Buffer, boolean][];
  bytes: number;
  /** A ping goes by (behind a refusal decided again; behind a login, nothing does). */
  readonly pings: boolean;
}

/** At most this many frames wait behind a lookup (our client sends nothing before its `loggedIn`). */
export const QUEUE_FRAMES = 64;

export interface GateDeps {
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  readonly counts: { refusedLogins: number };
  healthy(): boolean;
  prepare(login: LoginPeek): Promise<Verdict>;
  /** `renewed`: the login kept the session its connection had (a login again, or one the hub refused). */
  loggedIn(session: Session, login: LoginPeek, prepared: Prepared, renewed: boolean): void;
}

export class LoginGate {
  private readonly queues = new WeakMap<Conn, Waiting>();
  /** At most this many bytes wait behind a lookup: four of the largest frames. */
  private readonly queueBytes: number;

  constructor(private readonly deps: GateDeps) {
    this.queueBytes = 4 * deps.options.limits.maxFrameBytes;
  }

  /** One frame of `conn`, as received from its socket. */
  gate(conn: Conn, data: Buffer, isBinary: boolean, intake: GateIntake): void {
    if (conn.closed) return;
    const waiting = this.queues.get(conn);
    if (waiting?.pings && isPing(data, isBinary)) {
      // A keepalive need not wait for a refusal decided again (nor for a held ack, `Dispatcher`): the client's clock offset is its round trip.
      if (intake.admit(data, isBinary)) intake.run(data, isBinary);
      return;
    }
    if (waiting) {
      if (waiting.frames.length >= QUEUE_FRAMES || waiting.bytes + data.length > this.queueBytes) {
        return intake.refuse(isBinary ? undefined : ridOfRaw(data), 'rateLimited', 'too many frames sent before an earlier one was answered: slow down', 'loginQueue');
      }
      waiting.frames.push([data, isBinary]);
      waiting.bytes += data.length;
      // Taken in: a test stepping one frame at a time moves on (a hold may wait on the node's clock, `ClusterGrants`).
      intake.held();
      return;
    }
    if (!intake.admit(data, isBinary)) return; // over the rate: refused before anything is read
    const { sdkAppId: sdkAppID, secretKey, clock } = this.deps.options;
    const login = isBinary ? null : peekLogin(data, { sdkAppID, secretKey }, clock.now());
    if (!login) return intake.run(data, isBinary);
    this.lookUp(conn, data, login, intake);
  }

  /**
   * Holds the frames `conn` sends from now on until `wait` settles, then runs `then` (unless the connection
   * closed) and the frames that waited, in order (a refusal the cluster decides again: `ClusterNode.recheck`).
   */
  hold(conn: Conn, wait: Promise<unknown>, then: () => void, intake: GateIntake): void {
    const done = this.wait(conn, intake, true);
    void wait
      .catch(() => undefined)
      .then(() => conn.closed || then())
      .finally(done);
  }

  /** Frames of `conn` wait from now on; the answer lets them go (dropped if it closed meanwhile). */
  private wait(conn: Conn, intake: GateIntake, pings = false): () => void {
    const waiting: Waiting = { frames: [], bytes: 0, pings };
    this.queues.set(conn, waiting);
    return () => {
      this.queues.delete(conn);
      if (conn.closed) return; // what waited is dropped: nothing of a closed connection reaches Redis
      for (const [d, b] of waiting.frames) this.gate(conn, d, b, intake.replay);
    };
  }

  private lookUp(conn: Conn, data: Buffer, login: LoginPeek, intake: GateIntake): void {
    const { deps } = this;
    const wait = this.wait(conn, intake);
    // Received in time, the login holds the connection's deadline while Redis answers (bounded: `deadlines.ts`).
    conn.loginLookup = deps.options.clock.now();
    const done = () => {
      conn.loginLookup = null;
      wait(); // the frames that waited: another login among them is looked up in turn
      if (conn.loginLookup === null) intake.lookedUp();
    };
    const unavailable = () => intake.refuse(login.rid, 'unavailable', 'this node cannot reach the cluster store: try another node');
    if (!deps.healthy()) {
      deps.counts.refusedLogins++;
      unavailable();
      return done();
    }
    deps
      .prepare(login)
      .then(
        (verdict) => {
          if (conn.closed) return;
          if (verdict === 'superseded') return intake.refuse(login.rid, 'sessionSuperseded', 'this session was taken over by another login');
          if (verdict === 'revoked') return intake.refuse(login.rid, 'sessionSuperseded', 'this userSig belongs to a session another login took over: log in with a fresh userSig');
          const before = conn.session;
          intake.run(data, false);
          const session = conn.session;
          if (session?.userID === login.userID) deps.loggedIn(session, login, verdict, session === before);
        },
        (error: unknown) => {
          deps.counts.refusedLogins++;
          deps.logger.warn('cluster: login refused, Redis did not answer', { user: login.userID, error: String(error) });
          unavailable();
        },
      )
      .finally(done);
  }
}

/** A short text frame that is a ping (the client's keepalive, receipts folded in or not): read only when something waits. */
function isPing(data: Buffer, isBinary: boolean): boolean {
  if (isBinary || data.length > 128 || !data.includes('"ping"')) return false;
  return (parseJson(data.toString('utf8')) as { type?: unknown } | null)?.type === 'ping';
}
