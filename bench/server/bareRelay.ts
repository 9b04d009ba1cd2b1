/**
 * The baseline of `bench:server`: a plain `ws` server relaying C2C messages with an ack per send,
 * and nothing else: no login (a client names itself in the URL, `?user=`), no validation but
 * `JSON.parse`, no storage, no receipts, no limits. Whatever our server costs beyond this is the
 * price of auth, validation, durability and limits.
 *
 * Frames: the client sends our own `sendC2C` frame (the same bytes as against our server); the
 * relay writes `{"type":"message","from","payload"}` to `to` (if connected) and
 * `{"type":"ack","rid"}` back to the sender, in that order, as our server does.
 *
 * Run as a child of bench/server/main.ts (IPC: `mem`, `cpu`, `metrics`, `stop`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { memAfterGc, serve, snapshotAfterGc } from './ipc';
import { observeStalls } from './stalls';

const readStalls = observeStalls();
const peers = new Map<string, WebSocket>();
let relayed = 0;
let frames = 0;

const http = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: http, path: '/ws' });
wss.on('connection', (ws, req) => {
  const user = new URL(req.url ?? '/', 'http://relay').searchParams.get('user') ?? '';
  peers.set(user, ws);
  ws.on('message', (data: RawData) => {
    frames++;
    const frame = JSON.parse(String(data)) as { rid: number; to: string; payload: string };
    const peer = peers.get(frame.to);
    if (peer) {
      peer.send(JSON.stringify({ type: 'message', from: user, payload: frame.payload }));
      relayed++;
    }
    ws.send(JSON.stringify({ type: 'ack', rid: frame.rid }));
  });
  ws.on('close', () => {
    if (peers.get(user) === ws) peers.delete(user);
  });
  ws.on('error', () => undefined);
});

http.listen(0, '127.0.0.1', () => {
  const port = (http.address() as AddressInfo).port;
  process.send?.({
    type: 'ready',
    url: `ws://127.0.0.1:${port}/ws`,
    describe: 'bench/server/bareRelay.ts: plain ws, no auth, no validation, no storage, no limits',
    limits: {},
    raised: [],
  });
});

serve((request) => {
  switch (request.cmd) {
    case 'mem':
      return { ...memAfterGc() };
    case 'snapshot':
      return snapshotAfterGc(String(request.path));
    case 'cpu':
      return { ...process.cpuUsage() };
    case 'stalls':
      return { ...readStalls() };
    case 'metrics':
      return { metrics: { connections: peers.size, relayed, frames } };
    case 'stop':
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.close(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${request.cmd}`);
  }
});
