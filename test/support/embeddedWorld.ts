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
import { SimulatedClock } from '../../adapters/memory/SimulatedClock';
import { type EmbeddedBackend, type EmbeddedBackendOptions, embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { type ServerHandle, type ServerOptions, silentLogger, startServer } from '../../server/index';
import { LockstepNetwork, WORLD_URL } from './lockstepNetwork';
import { type Party, type World, failOnCoreFaults, party } from './world';

export { LockstepNetwork, SteppedSocket, WORLD_URL } from './lockstepNetwork';

/** The app every test world uses. */
export const SDKAPPID = 1400000001;
export const SECRET_KEY = 'headless-calling-test-secret-key-0123456789abcdef';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as { Api: new (sdkappid: number, key: string) => { genUserSig(userID: string, expireSeconds: number): string } };

/** A userSig made by Tencent's own generator (`tls-sig-api-v2`), stamped with the real time. */
export function tencentUserSig(userID: string, expireSeconds = 86_400, sdkAppID = SDKAPPID, secretKey = SECRET_KEY): string {
  return new Api(sdkAppID, secretKey).genUserSig(userID, expireSeconds);
}

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
  /** Stops the server and starts a new one on the same port and database file (with `server` over the world's options). */
  restartServer(server?: Partial<ServerOptions>): Promise<void>;
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

  let serverOptions: Partial<ServerOptions> = options.server ?? {};
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
      ...serverOptions,
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
    async restartServer(more = {}) {
      if (!down) await this.stopServer();
      serverOptions = { ...serverOptions, ...more };
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
