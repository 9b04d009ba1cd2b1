/**
 * Server tests speak the protocol with raw `ws` sockets: a real server on a free port, a
 * temporary SQLite file, a simulated clock (so rate limits and expiries are exact), and waits
 * that end on I/O events, never on time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { SimulatedClock } from '../../adapters/memory/SimulatedClock';
import { type Logger, type ServerHandle, type ServerOptions, startServer } from '../../server/index';
import { SDKAPPID, SECRET_KEY, tencentUserSig } from '../support/embeddedWorld';
import { until } from '../support/until';

export { SDKAPPID, SECRET_KEY, tencentUserSig };

const WAIT_MS = 5000;

/** A JSON frame as received. */
export type Frame = { readonly type: string; readonly rid?: number; readonly [key: string]: unknown };

/** Log lines a test server wrote. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** A server for one test, and what it takes to clean up. */
export interface TestServer {
  readonly handle: ServerHandle;
  readonly clock: SimulatedClock;
  readonly dbPath: string;
  readonly logs: LogLine[];
  /** Starts another server on the same database file (after `handle.close()`). */
  restart(overrides?: Partial<ServerOptions>): Promise<ServerHandle>;
  dispose(): Promise<void>;
}

/**
 * Starts a server on a free port, a fresh database and a simulated clock at the real time (rounded
 * down to the second), or at `startAt` (servers that must read one time: a cluster's nodes).
 * Write-behind is off unless asked for (`writeBehindMs`): its window runs on the simulated clock,
 * and most of these tests wait for acks without moving it (writeBehind.test.ts moves it).
 */
export async function testServer(overrides: Partial<ServerOptions> = {}, startAt = Math.floor(Date.now() / 1000) * 1000): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hc-server-'));
  const dbPath = join(dir, 'calling.db');
  const clock = new SimulatedClock(startAt);
  const logs: LogLine[] = [];
  const logger: Logger = {
    info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const options: ServerOptions = { port: 0, dbPath, sdkAppId: SDKAPPID, secretKey: SECRET_KEY, clock, logger, writeBehindMs: 0, ...overrides };
  let handle: ServerHandle;
  try {
    handle = await startServer(options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true }); // a start refused leaves no folder behind
    throw error;
  }
  return {
    get handle() {
      return handle;
    },
    clock,
    dbPath,
    logs,
    async restart(more = {}) {
      handle = await startServer({ ...options, ...more });
      return handle;
    },
    async dispose() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A protocol client on a raw socket. */
/** How a {@link RawClient} connects. */
export interface RawClientOptions {
  readonly lean?: boolean;
  readonly localAddress?: string;
  /** Many devices: the login names this device. */
  readonly device?: string;
}

export class RawClient {
  readonly frames: Frame[] = [];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private cursor = 0;
  /** Every waiter (requests may wait side by side: one slot would wake only the last of them). */
  private readonly wakes = new Set<() => void>();
  private nextRid = 1;
  private isClosed = false;

  private constructor(
    private readonly ws: WebSocket,
    /** Keep only the length of each payload (tests that receive megabytes). */
    lean = false,
  ) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(lean && typeof frame.payload === 'string' ? { ...frame, payload: `(${frame.payload.length} chars)`, head: [...frame.payload.slice(0, 12)].join('') } : frame);
      this.poke();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        this.poke();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /**
   * Opens a socket to `url`; a `lean` client keeps only the length and head of each payload, and
   * one with a `localAddress` connects from it (any of 127.0.0.0/8 on Linux).
   */
  static async open(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options.localAddress === undefined ? {} : { localAddress: options.localAddress });
    const client = new RawClient(ws, options.lean);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Opens a socket and logs in with a valid userSig. */
  static async login(url: string, userID: string, options: RawClientOptions = {}): Promise<RawClient> {
    const client = await RawClient.open(url, options);
    const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID), ...(options.device === undefined ? {} : { device: options.device }) });
    if (reply.type !== 'loggedIn') throw new Error(`login refused: ${JSON.stringify(reply)}`);
    return client;
  }

  /** Sends an object as JSON, or a string as is. */
  send(frame: object | string | Buffer): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /**
   * Sends a request with the next rid and waits for its answer. The answer is looked for by its rid
   * among the frames that came after the request was sent, not after the cursor: another request
   * waiting meanwhile (one sent without awaiting its answer) scans past it, and would make this one
   * wait for ever. Once it has come, the cursor moves past it (if it is not past it yet), as when it
   * is taken with {@link next}.
   */
  async request(frame: Record<string, unknown>): Promise<Frame> {
    const rid = this.nextRid++;
    const what = `the answer to ${String(frame.type)} #${rid}`;
    const sentAt = this.frames.length;
    this.send({ ...frame, rid });
    const deadline = Date.now() + WAIT_MS;
    let seen = sentAt;
    for (;;) {
      for (; seen < this.frames.length; seen++) {
        const answer = this.frames[seen] as Frame;
        if (answer.rid !== rid) continue;
        this.cursor = Math.max(this.cursor, seen + 1);
        return answer;
      }
      if (this.isClosed) throw new Error(`closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await this.nextArrival();
    }
  }

  /** The next frame (after those already taken) that matches; frames before it are skipped. */
  async next(match: (frame: Frame) => boolean = () => true, what = 'a frame'): Promise<Frame> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++] as Frame;
        if (match(frame)) return frame;
      }
      if (this.isClosed) throw new Error(`closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await this.nextArrival();
    }
  }

  /** Resolves when a frame arrives or the socket closes (or after 20 ms). */
  private nextArrival(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 20);
      const wakes = this.wakes;
      function done(): void {
        clearTimeout(timer);
        wakes.delete(done);
        resolve();
      }
      wakes.add(done);
    });
  }

  /** Waits until a ping round trip completes: every frame the server sent before it has arrived. */
  async sync(): Promise<void> {
    await this.request({ type: 'ping' });
  }

  /** Frames received so far of one type. */
  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  close(): void {
    this.ws.close();
  }

  /** Sends raw bytes as a binary frame, or (`binary: false`) as a text frame that need not be UTF-8. */
  sendBytes(bytes: Uint8Array, binary = true): void {
    this.ws.send(bytes, { binary });
  }

  /** Not closed yet. */
  get open(): boolean {
    return !this.isClosed;
  }

  /** Stops reading from the socket (a client that is alive to TCP but no longer reads). */
  pause(): void {
    this.ws.pause();
  }

  /** Reads again after {@link RawClient.pause}. */
  resume(): void {
    this.ws.resume();
  }

  terminate(): void {
    this.ws.terminate();
  }

  private poke(): void {
    for (const wake of [...this.wakes]) wake();
  }
}

/**
 * A server's commit deferral (`defer`) the test may hold (`hold`) and let go (`release`), so that "one turn" is exact;
 * not held, a commit runs at the turn's end.
 */
export function commitGate(): { defer: (fn: () => void) => void; hold: () => void; release: () => void } {
  const waiting: (() => void)[] = [];
  let holding = false;
  return {
    defer: (fn) => void (holding ? waiting.push(fn) : setImmediate(fn)),
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      for (const fn of waiting.splice(0)) fn();
    },
  };
}

/**
 * Polls a condition on the server's side until it holds. A client's own `closed` resolves when its
 * socket is gone here, not when the server noticed (another connection's round trip does not tell either).
 */
export async function serverSees(what: string, done: () => boolean): Promise<void> {
  await until(`the server to see ${what}`, done, WAIT_MS);
}

/** Sends frames in one TCP write: the server handles them in one turn (one group commit). */
export function sendTogether(client: RawClient, frames: object[]): void {
  const socket = (client as unknown as { ws: { _socket: Socket } }).ws._socket;
  socket.cork();
  for (const frame of frames) client.send(frame);
  socket.uncork();
}
