/**
 * The crash audit's clients (test/scenarios/embedded.hostile*.test.ts) on injected time: the real `ws` WebSocket
 * (the one an app in Node uses: its 'error' events are what the audit is about), counted, over real loopback
 * sockets to a hostile server, with every timer of the client (request and login timeouts, keepalive, reconnect
 * delays) on a {@link SimulatedClock}. Simulated time moves only when the test says so, and only once the sockets
 * are quiet: every dial has ended (open, closed, or held by a server known to be silent) and every frame written
 * has been read (as the test's own `quiet` condition says). Waits end on I/O, never on time (`until.ts`).
 */
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { SimulatedClock, drain } from '../../src/testing';
import { CONNECTION_HEADER } from '../../adapters/ws/protocol';
import { until } from './until';

export { until };

/** A client socket, as the audit's counters see it. */
export interface Counted {
  readonly ws: WebSocket;
  /** Frames the client wrote (after the socket opened). */
  sent: number;
  /** Frames the client read. */
  received: number;
  /** The server's name for the connection (our own server's header), once upgraded. */
  conn: string | null;
}

/** `ws`'s WebSocket, each one counted: what the test waits on (its listeners take nothing from the client's own). */
export function countedWebSocket() {
  const sockets: Counted[] = [];
  /** Run (in a microtask) as the next socket is dialled: what the app does while a dial is under way. */
  const hooks: { onDial: (() => void) | null } = { onDial: null };
  class CountedWebSocket extends WebSocket {
    private readonly counted: Counted;
    constructor(url: string) {
      super(url);
      const counted: Counted = { ws: this, sent: 0, received: 0, conn: null };
      this.counted = counted;
      sockets.push(counted);
      // No 'error' listener here: an 'error' the client does not hear must still reach the process.
      this.on('upgrade', (res) => void (counted.conn = String(res.headers[CONNECTION_HEADER] ?? '')));
      this.on('message', () => void counted.received++);
      const onDial = hooks.onDial;
      hooks.onDial = null;
      if (onDial) queueMicrotask(onDial);
    }
    override send(data: unknown, ...rest: unknown[]): void {
      if (this.readyState === WebSocket.OPEN) this.counted.sent++;
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  const closed = (s: Counted) => s.ws.readyState === WebSocket.CLOSED;
  return {
    WebSocket: CountedWebSocket as unknown as typeof WebSocket,
    sockets,
    hooks,
    /** Every socket dialled so far is closed. */
    allClosed: () => sockets.every(closed),
    /** Sockets still dialling. */
    connecting: () => sockets.filter((s) => s.ws.readyState === WebSocket.CONNECTING).length,
    /** No socket is half way through its closing handshake. */
    noneClosing: () => sockets.every((s) => s.ws.readyState !== WebSocket.CLOSING),
  };
}

/**
 * A simulated clock at the real time (userSigs are stamped with it) whose every timer waits, before and after it
 * runs, for `quiet()` to hold (then for the event loop to turn twice, and for `quiet()` again): what the sockets
 * are doing in real time ends before simulated time moves on.
 */
export function quietClock(quiet: () => boolean): SimulatedClock {
  const settle = async () => {
    for (;;) {
      await until('the sockets to go quiet before simulated time moves', quiet);
      await drain();
      await drain();
      if (quiet()) return;
    }
  };
  return new SimulatedClock(Date.now(), { settle });
}

/** Advances `clock` until `p` has settled, `stepMs` at a time (at most `limitMs` of simulated time): a promise the timeline settles. */
export async function through<T>(clock: SimulatedClock, p: Promise<T>, stepMs = 100, limitMs = 600_000): Promise<T> {
  let done = false;
  void p.then(
    () => void (done = true),
    () => void (done = true),
  );
  await drain();
  for (let spent = 0; !done; spent += stepMs) {
    if (spent >= limitMs) throw new Error(`still pending after ${limitMs} ms of simulated time`);
    await clock.advance(stepMs);
    await drain();
  }
  return p;
}

/** What the process watch is for: a settled promise as text (`resolved`, or `rejected <code>`). */
export const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => `rejected ${(e as { code?: unknown }).code}`);

/** A connection of a {@link fakeServer}, as the test acts on it: what it wrote, handled, and whether it ended it. */
export interface FakeConn {
  /** The server's side of the socket. */
  readonly ws: WebSocket;
  /** Frames it read from the client and handled. */
  handled: number;
  /** Frames it wrote (that its client must read before time moves on). */
  wrote: number;
  /** The server ended it (closed, reset, or wrote bytes no client reads): its client must see it closed before time moves on. */
  gone: boolean;
  send(data: string | Buffer): void;
  close(code?: number, reason?: string): void;
  reset(): void;
  /** Writes `bytes` on the TCP socket under the WebSocket (a frame no client may accept: the connection ends). */
  raw(bytes: Buffer): void;
}

/** A server the audit runs: its port, whether its clients' sockets are quiet, and its close. */
export interface AuditServer {
  readonly port: number;
  readonly quiet: () => boolean;
  close(): Promise<void>;
}

type Sockets = ReturnType<typeof countedWebSocket>;

/**
 * A WebSocket server answering each login with `loggedIn` (counted as written), then doing `after` with the
 * connection and the frame. Quiet when no client socket is dialling or closing and each open one has had every
 * frame it wrote handled and read every frame written to it, on a connection the server has not ended.
 */
export async function fakeServer(sockets: Sockets, after: (conn: FakeConn, frame: Record<string, unknown>) => void): Promise<AuditServer & { readonly conns: FakeConn[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const conns: FakeConn[] = [];
  const byName = new Map<string, FakeConn>();
  // The connection's name goes in its upgrade's headers, as our own server's does: the client's socket learns it.
  wss.on('headers', (headers) => void headers.push(`${CONNECTION_HEADER}: fake-${byName.size + 1}`));
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    const socket = () => (ws as unknown as { _socket: Socket })._socket;
    const conn: FakeConn = {
      ws,
      handled: 0,
      wrote: 0,
      gone: false,
      send: (data) => void (conn.wrote++, ws.send(data)),
      close: (code, reason) => void ((conn.gone = true), ws.close(code, reason)),
      reset: () => void ((conn.gone = true), socket().resetAndDestroy()),
      raw: (bytes) => void ((conn.gone = true), socket().write(bytes)),
    };
    byName.set(`fake-${byName.size + 1}`, conn);
    conns.push(conn);
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame.type === 'login') {
        conn.send(JSON.stringify({ type: 'loggedIn', rid: frame.rid, userID: frame.userID, session: 's1', resumed: false, room: null, serverTime: Date.now() }));
      }
      after(conn, frame);
      conn.handled++;
    });
  });
  return {
    port: (wss.address() as AddressInfo).port,
    conns,
    quiet: () =>
      sockets.connecting() === 0 &&
      sockets.noneClosing() &&
      sockets.sockets.every((s) => {
        if (s.ws.readyState !== WebSocket.OPEN) return true;
        const conn = s.conn === null ? undefined : byName.get(s.conn);
        return conn !== undefined && !conn.gone && conn.handled >= s.sent && s.received >= conn.wrote;
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * A TCP server doing `onSocket` with each connection. Quiet when no client socket is closing, and every one still
 * dialling has had its handshake read here and not answered (one this server holds: it never will be).
 */
export async function rawServer(sockets: Sockets, onSocket: (socket: Socket) => void): Promise<AuditServer & { readonly waiting: () => number }> {
  const open = new Set<Socket>();
  const waiting = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => waiting.add(socket));
    socket.on('close', () => void (open.delete(socket), waiting.delete(socket)));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  /** Handshakes read and neither answered nor reset. */
  const held = () => [...waiting].filter((s) => !s.writableEnded && !s.destroyed).length;
  return {
    port: (server.address() as AddressInfo).port,
    waiting: held,
    quiet: () => sockets.noneClosing() && sockets.connecting() <= held(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
