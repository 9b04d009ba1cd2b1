/**
 * Virtual time over real sockets: the embedded server and every client run in this process on
 * one `SimulatedClock`, talking over real WebSockets (the `ws` package, loopback TCP), and a
 * lock-step network decides *when* each frame moves, so that every run is the same run.
 *
 * - Clients get a stepped WebSocket: what they send joins one global outbox (in send order);
 *   what the server sends them is delivered in the server's own write order, which the world
 *   learns from the server's `tap`. One frame at a time: a client frame is written to the real
 *   socket, then the pump waits (real I/O) until the server reports it handled; a server frame
 *   is handed to its client once the real socket has received it, then microtasks drain so the
 *   client's reactions queue up before anything else moves. Connects and closes are steps too.
 * - The pump runs by itself whenever there is work (so `await login()` just works), and
 *   `SimulatedClock`'s settle hook waits for it to go idle before and after every timer, so
 *   `World.advance(ms)` steps simulated time timer by timer over a quiet network.
 * - Real waiting happens only for I/O to complete, never as a stand-in for time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket as NodeWebSocket } from 'ws';
import { SimulatedClock } from '../../adapters/memory/SimulatedClock';
import { drain } from '../../adapters/memory/drain';
import { CONNECTION_HEADER } from '../../adapters/ws/protocol';
import type { WebSocketLike } from '../../adapters/ws/socket';
import { type EmbeddedBackend, type EmbeddedBackendOptions, embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { type ServerHandle, type ServerOptions, type TapEvent, silentLogger, startServer } from '../../server/index';
import { type Party, type World, failOnCoreFaults, party } from './world';

/** The app every test world uses. */
export const SDKAPPID = 1400000001;
export const SECRET_KEY = 'headless-calling-test-secret-key-0123456789abcdef';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as { Api: new (sdkappid: number, key: string) => { genUserSig(userID: string, expireSeconds: number): string } };

/** A userSig made by Tencent's own generator (`tls-sig-api-v2`), stamped with the real time. */
export function tencentUserSig(userID: string, expireSeconds = 86_400, sdkAppID = SDKAPPID, secretKey = SECRET_KEY): string {
  return new Api(sdkAppID, secretKey).genUserSig(userID, expireSeconds);
}

/** What stepped sockets dial: the world connects them to whichever server runs now. */
export const WORLD_URL = 'ws://embedded-world.invalid/ws';

const STALL_MS = 5000;

type Action =
  | { readonly kind: 'connect'; readonly sock: SteppedSocket }
  | { readonly kind: 'send'; readonly sock: SteppedSocket; readonly data: string }
  | { readonly kind: 'close'; readonly sock: SteppedSocket; readonly code?: number; readonly reason?: string };

interface Wire {
  readonly real: NodeWebSocket;
  conn: string | null;
  state: 'connecting' | 'open' | 'closed';
  closeEvent: { code: number; reason: string } | null;
  readonly received: string[];
  delivered: number;
  sent: number;
}

function frameType(data: string): string {
  try {
    return String((JSON.parse(data) as { type?: unknown }).type);
  } catch {
    return 'not JSON';
  }
}

/** A WebSocket whose every event is released by the {@link LockstepNetwork}. */
export class SteppedSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** @internal */ wire: Wire | null = null;

  /** `url`: what its client dialled (a cluster's network connects each URL to its own node). */
  constructor(
    private readonly net: LockstepNetwork,
    readonly url: string = WORLD_URL,
  ) {
    net.clientSockets.push(this);
    net.enqueue({ kind: 'connect', sock: this });
  }

  send(data: string): void {
    if (this.readyState === 0) throw new Error('InvalidStateError: still connecting');
    this.net.enqueue({ kind: 'send', sock: this, data });
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.net.enqueue({ kind: 'close', sock: this, ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) });
  }
}

/** The network between one in-process server and its stepped clients. */
export class LockstepNetwork {
  /** The constructor to give clients (`embeddedBackend({ WebSocket })`). */
  readonly WebSocket: new (url: string) => SteppedSocket;
  /** Sees each server frame before its client does; `'drop'` loses it (as if the network had). */
  intercept: ((data: string) => 'deliver' | 'drop') | null = null;
  /** Sees each client frame as it goes to the server (a test silences its socket right behind one). */
  sent: ((sock: SteppedSocket, data: string) => void) | null = null;
  /**
   * `batched`: a slow downlink. Client frames go first; what the server wrote meanwhile piles
   * up and each client then reads all of its pending frames in one go (one macrotask, no
   * microtask between them), as when several frames come in one TCP read. Still deterministic.
   */
  reads: 'stepped' | 'batched' = 'stepped';
  /** Every step, in order: `3 > loggedIn` (server to socket 3), `3 < login` (socket 3 to server), `3 open`, `3 closed`; batched: `3 read 2` (the next 2 frames in one read). */
  readonly trace: string[] = [];
  /**
   * Sockets gone silent, as a half-open TCP connection: nothing more passes either way (frames, the
   * server's close) until their client gives up on them (its keepalive) and closes them.
   */
  readonly silent = new Set<SteppedSocket>();
  /** Every socket a client opened, oldest first (a test closes one as a page unload would). */
  readonly clientSockets: SteppedSocket[] = [];
  private readonly names = new WeakMap<SteppedSocket, number>();
  private named = 0;
  private readonly outbox: Action[] = [];
  private readonly serverEvents: TapEvent[] = [];
  private readonly wires = new Map<string, Wire>();
  private readonly handled = new Map<string, number>();
  private readonly opened = new Set<string>();
  private readonly gone = new Set<string>();
  private readonly sockets = new WeakMap<Wire, SteppedSocket>();
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private disposed = false;

  /** `serverUrl`: the real URL of the server a client that dialled `dialled` reaches now. */
  constructor(private readonly serverUrl: (dialled: string) => Promise<string>) {
    const net = this;
    this.WebSocket = class extends SteppedSocket {
      constructor(url: string) {
        super(net, url);
      }
    };
  }

  /** The server's `tap`. */
  readonly tap = (event: TapEvent): void => {
    if (event.type === 'out' || (event.type === 'close' && event.by === 'server')) this.serverEvents.push(event);
    if (event.type === 'in') this.handled.set(event.conn, (this.handled.get(event.conn) ?? 0) + 1);
    if (event.type === 'open') this.opened.add(event.conn);
    if (event.type === 'close') this.gone.add(event.conn);
    this.poke();
  };

  /** @internal */
  enqueue(action: Action): void {
    this.outbox.push(action);
    this.kick();
  }

  /** Resolves once nothing is in flight: every frame sent was handled and delivered, and their reactions too. */
  async quiet(): Promise<void> {
    for (;;) {
      if (this.running) await this.running;
      await drain();
      if (this.failure) throw this.failure;
      if (!this.running && this.outbox.length === 0 && this.serverEvents.length === 0) return;
      this.kick();
    }
  }

  /**
   * Forgets what it carried: the sockets closed on both sides, the frames already handed over, the trace. A long
   * test's measure of the heap counts the clients', not this record (`embedded.week.test.ts`). On a quiet network.
   */
  forgetCarried(): void {
    this.trace.length = 0;
    for (const [conn, wire] of this.wires) {
      wire.received.splice(0, wire.delivered);
      wire.delivered = 0;
      if (wire.state === 'closed' && this.gone.has(conn)) for (const table of [this.wires, this.handled, this.opened, this.gone]) table.delete(conn);
    }
    const open = this.clientSockets.filter((sock) => sock.readyState !== 3);
    this.clientSockets.splice(0, this.clientSockets.length, ...open);
  }

  /** Drops every socket; the pump stops. */
  dispose(): void {
    this.disposed = true;
    for (const wire of this.wires.values()) wire.real.terminate();
    this.poke();
  }

  private kick(): void {
    if (this.running || this.disposed) return;
    this.running = this.pump()
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.running = null;
      });
  }

  private async pump(): Promise<void> {
    await drain();
    while (!this.disposed) {
      if (this.reads === 'batched') {
        const action = this.outbox.shift();
        if (action) await this.perform(action);
        else if (this.serverEvents.length > 0) await this.deliverBatches();
        else return;
      } else {
        const event = this.serverEvents.shift();
        if (event) await this.deliver(event);
        else {
          const action = this.outbox.shift();
          if (!action) return;
          await this.perform(action);
        }
      }
      await drain();
    }
  }

  /** Batched reads: every client reads all the frames waiting for it at once, in the server's order. */
  private async deliverBatches(): Promise<void> {
    const events = this.serverEvents.splice(0);
    const conns = [...new Set(events.map((e) => e.conn))];
    for (const conn of conns) {
      const mine = events.filter((e) => e.conn === conn);
      const wire = this.wires.get(conn);
      if (!wire) continue;
      const frames = mine.filter((e) => e.type === 'out').length;
      const target = wire.delivered + frames;
      await this.until(() => wire.received.length >= target || wire.state === 'closed', `${frames} frames on ${conn}`);
      // One read: no await between the frames of this connection.
      const sock = this.socketOf(wire);
      if (sock && frames > 1) this.note(sock, `read ${frames}`);
      for (const event of mine) if (event.type === 'out') this.handOver(wire);
      if (mine.some((e) => e.type === 'close')) {
        await this.until(() => wire.state === 'closed', `the close of ${conn}`);
        if (sock && !this.silent.has(sock)) this.closed(sock, wire.closeEvent ?? { code: 1006, reason: '' });
      }
    }
  }

  /** Hands the client its next frame (already received on the real socket), unless dropped. */
  private handOver(wire: Wire): void {
    if (wire.received.length <= wire.delivered) return; // cut off by a terminate
    const sock = this.socketOf(wire);
    const data = wire.received[wire.delivered++] as string;
    if (this.intercept?.(data) === 'drop') return;
    if (sock?.readyState !== 1 || this.silent.has(sock)) return;
    this.note(sock, `> ${frameType(data)}`);
    sock.onmessage?.({ data });
  }

  /** Hands the client what the server sent it, in the server's order. */
  private async deliver(event: TapEvent): Promise<void> {
    const wire = this.wires.get(event.conn);
    if (!wire) return; // a connection that is not ours
    const sock = this.socketOf(wire);
    if (event.type === 'out') {
      await this.until(() => wire.received.length > wire.delivered || wire.state === 'closed', `a frame on ${event.conn}`);
      this.handOver(wire);
      return;
    }
    await this.until(() => wire.state === 'closed', `the close of ${event.conn}`);
    if (sock && !this.silent.has(sock)) this.closed(sock, wire.closeEvent ?? { code: 1006, reason: '' });
  }

  private async perform(action: Action): Promise<void> {
    const { sock } = action;
    if (action.kind === 'connect') {
      const real = new NodeWebSocket(await this.serverUrl(sock.url));
      const wire: Wire = { real, conn: null, state: 'connecting', closeEvent: null, received: [], delivered: 0, sent: 0 };
      sock.wire = wire;
      this.sockets.set(wire, sock);
      real.on('upgrade', (res) => {
        wire.conn = String(res.headers[CONNECTION_HEADER] ?? '');
        this.wires.set(wire.conn, wire);
        this.poke();
      });
      real.on('open', () => this.update(() => (wire.state = 'open')));
      real.on('message', (data) => this.update(() => wire.received.push(data.toString())));
      real.on('close', (code, reason) => this.update(() => ((wire.state = 'closed'), (wire.closeEvent = { code, reason: reason.toString() }))));
      real.on('error', () => undefined); // a close follows
      const ready = () => wire.state === 'open' && wire.conn !== null && this.opened.has(wire.conn);
      await this.until(() => ready() || wire.state === 'closed', 'a connection');
      if (sock.readyState >= 2 && wire.state === 'open') return; // closed by its owner meanwhile: the close action follows
      if (ready()) {
        sock.readyState = 1;
        this.note(sock, 'open');
        sock.onopen?.({});
      } else {
        sock.onerror?.({});
        this.closed(sock, wire.closeEvent ?? { code: 1006, reason: 'connection failed' });
      }
      return;
    }
    const wire = sock.wire;
    if (!wire || wire.state !== 'open' || wire.conn === null) {
      if (action.kind === 'close') this.closed(sock, { code: action.code ?? 1005, reason: action.reason ?? '' });
      return;
    }
    const conn = wire.conn;
    if (action.kind === 'send') {
      if (this.silent.has(sock)) return this.note(sock, `lost < ${frameType(action.data)}`);
      this.note(sock, `< ${frameType(action.data)}`);
      wire.real.send(action.data);
      this.sent?.(sock, action.data);
      const target = ++wire.sent;
      await this.until(() => (this.handled.get(conn) ?? 0) >= target || this.gone.has(conn) || wire.state === 'closed', `the server to handle a frame on ${conn}`);
      return;
    }
    wire.real.close(action.code, action.reason);
    await this.until(() => wire.state === 'closed' && this.gone.has(conn), `the close of ${conn}`);
    this.closed(sock, { code: action.code ?? 1005, reason: action.reason ?? '' });
  }

  private closed(sock: SteppedSocket, event: { code: number; reason: string }): void {
    if (sock.readyState === 3) return;
    sock.readyState = 3;
    this.note(sock, `closed ${event.code}`);
    sock.onclose?.(event);
  }

  private note(sock: SteppedSocket, what: string): void {
    let name = this.names.get(sock);
    if (name === undefined) this.names.set(sock, (name = ++this.named));
    this.trace.push(`${name} ${what}`);
  }

  private socketOf(wire: Wire): SteppedSocket | undefined {
    return this.sockets.get(wire);
  }

  private update(change: () => unknown): void {
    change();
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits (for real I/O, not for time) until `done()`; fails loudly if the network stalls. */
  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + STALL_MS;
    while (!done()) {
      if (this.disposed) throw new Error('the network was disposed');
      if (Date.now() > deadline) throw new Error(`lockstep network stalled waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The world

/** Options of {@link makeEmbeddedWorld}. */
export interface EmbeddedWorldOptions {
  /** Server options to override (the world sets port, db, app, clock, tap, logger). */
  readonly server?: Partial<ServerOptions>;
  /** Client options to override for every backend. */
  readonly client?: Partial<EmbeddedBackendOptions>;
}

/** A {@link World} over the embedded server, with its machinery exposed. */
export interface EmbeddedWorld extends World {
  readonly clock: SimulatedClock;
  readonly net: LockstepNetwork;
  /** The running server (started on first use). */
  server(): Promise<ServerHandle>;
  /** A fresh backend for one more client. */
  backend(overrides?: Partial<EmbeddedBackendOptions>): EmbeddedBackend;
  /** A valid userSig for `userID`. */
  userSig(userID: string): string;
  /** Stops the server and starts a new one on the same port and database file. */
  restartServer(): Promise<void>;
  /** Stops the server; clients trying to connect are refused until {@link EmbeddedWorld.restartServer}. */
  stopServer(): Promise<void>;
  /** Lets what is due now happen: `clock.settle()` over a quiet network. */
  settle(): Promise<void>;
}

/**
 * The embedded server on a temporary SQLite file, with clients over the lock-step network, all
 * on one simulated clock starting at the real time (so that `tls-sig-api-v2` userSigs verify).
 */
export function makeEmbeddedWorld(options: EmbeddedWorldOptions = {}): EmbeddedWorld {
  let handle: Promise<ServerHandle> | null = null;
  let port = 0;
  let down = false;
  const dir = mkdtempSync(join(tmpdir(), 'hc-world-'));
  // While the server is down, clients dial its old port and are refused.
  const net: LockstepNetwork = new LockstepNetwork(async () => (down ? `ws://127.0.0.1:${port}/ws` : (await server()).url));
  const clock = new SimulatedClock(Math.floor(Date.now() / 1000) * 1000, { settle: () => net.quiet() });
  const parties: Party[] = [];
  const backends: EmbeddedBackend[] = [];
  let invites = 0;
  let nextRoom = 1001;

  const server = (): Promise<ServerHandle> => {
    handle ??= startServer({
      port,
      dbPath: join(dir, 'calling.db'),
      sdkAppId: SDKAPPID,
      secretKey: SECRET_KEY,
      clock,
      logger: silentLogger,
      rate: { perSecond: 10_000, burst: 100_000 },
      tap: net.tap,
      // Write-behind off unless a test asks: with it, a sender's ack waits for its recipient's
      // receipt, which waits on this simulated clock, and these tests await sends without moving it.
      writeBehindMs: 0,
      ...options.server,
    }).then((h) => {
      port = h.port;
      return h;
    });
    return handle;
  };

  const backend = (overrides: Partial<EmbeddedBackendOptions> = {}): EmbeddedBackend => {
    const b = embeddedBackend({
      url: WORLD_URL,
      WebSocket: net.WebSocket,
      clock,
      inviteIdGen: () => `00000000-0000-4000-8000-${(++invites).toString(16).padStart(12, '0')}`,
      roomIdGen: () => nextRoom++,
      ...options.client,
      ...overrides,
    });
    backends.push(b);
    return b;
  };

  const client = (userID: string): Party => {
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: backend() }));
    parties.push(p);
    return p;
  };

  const userSig = (userID: string) => tencentUserSig(userID);

  return {
    clock,
    net,
    server,
    backend,
    userSig,
    client,
    async user(userID) {
      const p = client(userID);
      await p.calling.login({ userID, userSig: userSig(userID) });
      await clock.settle();
      p.take();
      return p;
    },
    async createGroup(groupID, members) {
      (await server()).createGroup(groupID, members);
    },
    advance: (ms) => clock.advance(ms),
    settle: () => clock.settle(),
    async restartServer() {
      if (!down) await this.stopServer();
      down = false;
      await server();
    },
    async stopServer() {
      const old = await server();
      down = true;
      handle = null;
      await old.close();
      await net.quiet();
    },
    async dispose() {
      for (const p of parties) void p.calling.destroy();
      net.dispose();
      if (handle) await (await handle).close();
      rmSync(dir, { recursive: true, force: true });
      failOnCoreFaults();
    },
  };
}

/** Many devices: a client of `userID` logged in as device `deviceID` (its SDK_READY taken). */
export async function deviceOf(world: EmbeddedWorld, userID: string, deviceID: string): Promise<Party> {
  const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend({ multiDevice: true, deviceID }) }));
  await p.calling.login({ userID, userSig: world.userSig(userID) });
  await world.settle();
  p.take();
  return p;
}
