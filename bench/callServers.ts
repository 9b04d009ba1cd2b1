/**
 * The two signalling servers of `npm run bench:call`: the embedded server serving the demo
 * (`npm start`'s, on a fresh SQLite file) and the raw baseline's page with its WebSocket relay
 * (`{ to, data }` -> `data`, nothing else).
 *
 * By default each runs in a child process of its own, as a server runs beside its clients: the
 * bench's own process drives Chromium over CDP (and read the pages every 10 ms until 2026-12-07), and a server
 * sharing that event loop answers late whenever it is busy, most of all on a loaded machine (the
 * library's calls take more trips through their server than raw's, so they paid more for it).
 * `--servers-in-process` runs both inside the bench's process, as the bench did before.
 *
 * `--rtt <ms>`: each server is reached through a TCP proxy (in its process) that holds every chunk
 * for half of that, each way, as a server across a real network is (the pages' media still flows
 * over loopback): what each trip to the server costs a call then shows, where on loopback it is
 * lost in the noise.
 */
import { createServer } from 'node:http';
import { type AddressInfo, type Socket, createServer as createTcpServer, connect } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { WebSocketServer, type WebSocket } from 'ws';
import { demoServer } from '../test/e2e/support/demoServer';
import { type Child, serve, startChild } from './server/ipc';

/** A running signalling server: the base URL of its pages. */
export interface CallServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Which one: the embedded server with the demo, or the raw baseline's relay. */
export type CallServerKind = 'embedded' | 'raw';

/** A page script bundled from `file` (next to this one). */
export async function bundle(file: string): Promise<string> {
  const out = await build({ entryPoints: [resolve(import.meta.dirname, file)], bundle: true, write: false, format: 'esm', target: 'es2022' });
  return out.outputFiles[0]?.text ?? '';
}

/** The baseline's own server: the raw page and a WebSocket relay (`{ to, data }` -> `data`). */
async function rawServer(): Promise<CallServer> {
  const script = await bundle('rawPage.ts');
  const html = `<!doctype html><meta charset="utf-8"><title>raw WebRTC baseline</title><body><script type="module">${script}</script></body>`;
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  const peers = new Map<string, WebSocket>();
  const wss = new WebSocketServer({ server: http, path: '/relay' });
  wss.on('connection', (ws, req) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
    peers.set(id, ws);
    ws.on('message', (raw) => {
      const { to, data } = JSON.parse(String(raw)) as { to: string; data: unknown };
      peers.get(to)?.send(JSON.stringify(data));
    });
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      for (const ws of peers.values()) ws.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
}

/**
 * A TCP proxy to `target` holding every chunk `oneWayMs` in each direction: data, a half close
 * (end) and a reset each go through the same delay, so each arrives after what was sent before it
 * (timers of one delay fire in the order they were set).
 */
async function delayingProxy(target: CallServer, oneWayMs: number): Promise<CallServer> {
  const { port } = new URL(target.url);
  const sockets = new Set<Socket>();
  const later = (fn: () => void) => setTimeout(fn, oneWayMs);
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => later(() => to.write(chunk)));
    from.on('end', () => later(() => to.end()));
    from.on('error', () => later(() => to.destroy()));
  };
  const proxy = createTcpServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => proxy.close(() => done()));
      await target.close();
    },
  };
}

/** Starts one in this process (behind a proxy adding `rttMs` to each trip, when above 0). */
async function startHere(kind: CallServerKind, rttMs: number): Promise<CallServer> {
  const server = kind === 'raw' ? await rawServer() : await demoServer().then((s) => ({ url: s.handle.httpUrl, close: () => s.dispose() }));
  return rttMs > 0 ? delayingProxy(server, rttMs / 2) : server;
}

/** Starts one: in a child process of its own, or here (`inProcess`); `rttMs` as {@link startHere}. */
export async function startCallServer(kind: CallServerKind, inProcess: boolean, rttMs = 0): Promise<CallServer> {
  if (inProcess) return startHere(kind, rttMs);
  const child: Child = startChild(`${kind} signalling server`, import.meta.filename, [kind, String(rttMs)], {}, [], 'tsx');
  const ready = (await child.first) as { url?: unknown };
  if (typeof ready.url !== 'string') throw new Error(`${child.name} did not say its URL`);
  return { url: ready.url, close: () => child.stop() };
}

// As a child: `callServers.ts <embedded|raw> <rtt ms>` says `{ type: 'ready', url }`, then serves `stop`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [kind, rtt = '0'] = process.argv.slice(2);
  if (kind !== 'embedded' && kind !== 'raw') throw new Error(`usage: callServers.ts embedded|raw [rtt ms], got ${kind}`);
  const server = await startHere(kind, Number(rtt));
  process.send?.({ type: 'ready', url: server.url });
  serve(async (request) => {
    if (request.cmd !== 'stop') throw new Error(`unknown command ${request.cmd}`);
    await server.close();
    setImmediate(() => process.exit(0));
    return {};
  });
}
