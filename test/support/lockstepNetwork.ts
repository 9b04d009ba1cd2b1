/**
 * The lock-step network of the embedded world (`embeddedWorld.ts`): clients get a stepped WebSocket whose every
 * event this network releases, over real loopback WebSockets to the server, one frame at a time in an order the
 * server's `tap` decides, so that every run is the same run (see `embeddedWorld.ts` for the whole picture).
 */
import { WebSocket as NodeWebSocket } from 'ws';
import { drain } from '../../adapters/memory/drain';
import { CONNECTION_HEADER } from '../../adapters/ws/protocol';
import type { WebSocketLike } from '../../adapters/ws/socket';
import type { TapEvent } from '../../server/index';

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

  /** The client socket at `at` (`clientSockets.at`: -1 the newest) goes half-open ({@link silent}). */
  silence(at: number): void {
    const sock = this.clientSockets.at(at);
    if (!sock) throw new Error(`no client socket at ${at}`);
    this.silent.add(sock);
  }
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
