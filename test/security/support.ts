/**
 * The adversarial tier's tools: an honest pair calling through the public API (TRTCCalling over
 * the embedded backend, on the embedded world's virtual time) on a server with the default
 * limits, attackers speaking the protocol on raw sockets (or raw TCP) to the same server, and a
 * memory gauge that collects garbage first.
 */
import { connect, type Socket } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'vitest';
import { ev } from '../support/ev';
import type { EmbeddedBackend } from '../../adapters/ws/embeddedBackend';
import { TRTCCalling } from '../../src/index';
import { SDKAPPID, makeEmbeddedWorld, type EmbeddedWorld, type EmbeddedWorldOptions } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { RawClient, tencentUserSig } from '../server/support';

export { RawClient, type Frame } from '../server/support';

const S = 1000;

/**
 * The embedded world with the server's default limits (the shared world raises the
 * per-connection rate for its scenario scripts; here every default holds).
 */
export function defaultLimitsWorld(options: EmbeddedWorldOptions = {}): EmbeddedWorld {
  return makeEmbeddedWorld({ ...options, server: { rate: { perSecond: 50, burst: 200 }, ...options.server } });
}

/**
 * Alice video-calls Bob, Bob accepts, they talk for `talkMs`, Alice hangs up: both whole event
 * logs are asserted, so an attack that delays, drops or adds anything fails the test.
 */
export async function honestCall(world: EmbeddedWorld, alice: Party, bob: Party, talkMs = 2 * S): Promise<void> {
  alice.take();
  bob.take();
  await alice.calling.call({ userID: bob.id, type: 2, timeout: 30 });
  await world.advance(S);
  expect(bob.take()).toEqual([ev.invited(alice.id, [bob.id])]);
  await bob.calling.accept();
  await world.advance(S);
  expect(alice.take()).toEqual([ev.accepted(bob.id), ...ev.arrives(bob.id)]);
  expect(bob.take()).toEqual(ev.arrives(alice.id));
  await world.advance(talkMs);
  await alice.calling.hangup();
  await world.advance(S);
  expect(alice.take()).toEqual([ev.end(alice.id, 'hangup')]);
  expect(bob.take()).toEqual([ev.leave(alice.id), ev.end(alice.id, 'hangup')]);
}

/** A room relay of an SDP offer, as a member's peer connection sends it. */
export const sdpOffer = (sdp: string) => JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp } });

/** Mallory (on the embedded backend, raw relays) calls Bob, he accepts, she answers his offer: her backend. */
export async function malloryInCallWith(world: EmbeddedWorld, bob: Party): Promise<EmbeddedBackend> {
  const mb = world.backend();
  const mallory = party('mallory', new TRTCCalling({ SDKAppID: SDKAPPID, backend: mb }));
  await mallory.calling.login({ userID: 'mallory', userSig: world.userSig('mallory') });
  await world.settle();
  await mallory.calling.call({ userID: 'bob', type: 1, timeout: 30 });
  await world.advance(S);
  await bob.calling.accept();
  await world.advance(S);
  await mb.room.relay('bob', JSON.stringify({ kind: 'sdp', description: { type: 'answer', sdp: 'v=0 answer' } }));
  await world.advance(S);
  bob.take();
  return mb;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Bytes of JS heap and buffers in use, after collecting garbage (three full collections). */
export async function memoryInUse(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** One MiB. */
export const MIB = 1024 * 1024;

/** The tests' one wait for real I/O: `until(what, done, waitMs?)`. */
export { until } from '../support/until';

/** A raw TCP attacker, as it stands. */
export interface RawAttacker {
  /** The HTTP status of the upgrade (101 when the server took the WebSocket). */
  readonly status: number;
  /** The server (or the test) has closed the connection. */
  readonly closed: boolean;
}

/**
 * An unauthenticated client that opens a WebSocket by hand and streams one huge frame
 * (`frameBytes`, declared in the header) without ever finishing it, 64 KiB at a time, each chunk
 * once the previous one was written. Resolves when the server refused the upgrade or cut the
 * connection, or once `sendBytes` are written (the half frame then stays open).
 */
export function halfFrameAttacker(port: number, frameBytes: number, sendBytes: number): Promise<RawAttacker> {
  return rawUpgrade(port, '127.0.0.1', (socket, state, resolve, finish) => {
    let sent = 0;
    const pump = () => {
      if (state.closed) return;
      if (sent >= sendBytes) return resolve();
      const n = Math.min(chunk.length, sendBytes - sent);
      socket.write(chunk.subarray(0, n), (error) => {
        if (error) return finish();
        sent += n;
        pump();
      });
    };
    // A masked text frame announcing `frameBytes` of payload (64-bit length).
    const head = Buffer.alloc(14);
    head[0] = 0x81;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(frameBytes), 2);
    socket.write(head, () => pump());
  });
}

/**
 * An unauthenticated client from `localAddress` (any of 127.0.0.0/8 is this machine's on Linux,
 * so one test has as many client addresses as it likes) that opens a WebSocket and then sends
 * nothing: it never logs in. Resolves once the server answered the upgrade (`status`); `closed`
 * turns true when the server (or {@link stopAttackers}) ends it.
 */
export function idleAttacker(port: number, localAddress: string): Promise<RawAttacker> {
  return rawUpgrade(port, localAddress, (_socket, _state, resolve) => resolve());
}

/** A client logged in over a WebSocket made by hand that from then on reads nothing and answers nothing (a close frame included). */
export interface DeafClient extends RawAttacker {
  /** Writes a frame (it still writes; it only never reads). */
  send(frame: object): void;
  end(): void;
}

/** Logs in as `userID` from `localAddress` on a WebSocket made by hand, and is deaf from then on ({@link DeafClient}). */
export async function deafLogin(port: number, userID: string, localAddress: string): Promise<DeafClient> {
  let socket!: Socket;
  const state = await rawUpgrade(port, localAddress, (upgraded, _state, resolve) => {
    socket = upgraded;
    socket.write(maskedText(JSON.stringify({ type: 'login', rid: 1, userID, userSig: tencentUserSig(userID) })));
    resolve();
  });
  if (state.status !== 101) throw new Error(`refused at the door: ${state.status}`);
  return Object.assign(state, { send: (frame: object) => void socket.write(maskedText(JSON.stringify(frame))), end: () => socket.destroy() });
}

/** A client's text frame (masked, with a zero mask: the bytes are the text). */
function maskedText(text: string): Buffer {
  const body = Buffer.from(text);
  if (body.length < 126) return Buffer.concat([Buffer.from([0x81, 0x80 | body.length, 0, 0, 0, 0]), body]);
  const head = Buffer.from([0x81, 0x80 | 126, 0, 0, 0, 0, 0, 0]);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

/**
 * Opens a TCP socket from `localAddress` and asks for a WebSocket by hand. A refused upgrade (or
 * a closed socket) resolves at once; a 101 hands the socket to `upgraded`, which resolves when
 * it likes (`finish` ends the socket and resolves).
 */
function rawUpgrade(
  port: number,
  localAddress: string,
  upgraded: (socket: Socket, state: { readonly closed: boolean }, resolve: () => void, finish: () => void) => void,
): Promise<RawAttacker> {
  return new Promise((done) => {
    const socket: Socket = connect({ port, host: '127.0.0.1', localAddress });
    const state = { status: 0, closed: false };
    let header = '';
    const resolve = () => done(state);
    const finish = () => {
      if (state.closed) return;
      state.closed = true;
      socket.destroy();
      resolve();
    };
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () =>
      socket.write(
        'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    socket.on('data', (data: Buffer) => {
      if (state.status !== 0) return;
      header += data.toString('latin1');
      const line = /^HTTP\/1\.1 (\d{3})/.exec(header);
      if (!line) return;
      state.status = Number(line[1]);
      if (state.status !== 101) return finish();
      upgraded(socket, state, resolve, finish);
    });
    attackers.add(finish);
  });
}

/** What the attackers stream (one buffer for all, so the test itself stays small). */
const chunk = Buffer.alloc(64 * 1024, 0x61);

const attackers = new Set<() => void>();

/** Ends every raw attacker still connected. */
export function stopAttackers(): void {
  for (const finish of attackers) finish();
  attackers.clear();
}

/**
 * A TSignaling INVITE to Bob as an attacker writes it (no client made it): a call invitation, or
 * with `av` a switch request (`{ cmd: 'switchToAudio', switch_to_audio_call: ... }`).
 */
export function rawInvite(from: string, inviteID: string, roomID: number, av: { readonly cmd: string; readonly [key: string]: unknown } = { cmd: 'videoCall' }): string {
  const { cmd, ...top } = av;
  return JSON.stringify({
    businessID: 1,
    inviteID,
    inviter: from,
    actionType: 1,
    inviteeList: ['bob'],
    data: JSON.stringify({ businessID: 'av_call', version: 4, call_type: 2, room_id: roomID, ...top, data: { cmd, room_id: roomID, message: '' } }),
    timeout: 30,
    groupID: '',
  });
}

/** A raw client's `sendC2C` of an invitation into `roomID` naming `to` (the server grants the room to `to`). */
export const c2cInvite = (to: string, roomID: number, inviteID: string, onlineUserOnly = false) => ({
  type: 'sendC2C',
  to,
  payload: 'INVITE',
  onlineUserOnly,
  call: { inviteID, roomID, invitees: [to], timeout: 30 },
});

/** `user` logged in on `devices` devices of a multi-device server at `url`, each named `<user>-<i>`. */
export async function loginDevices(url: string, user: string, devices: number): Promise<RawClient[]> {
  const logged: RawClient[] = [];
  for (let i = 0; i < devices; i++) logged.push(await RawClient.login(url, user, { device: `${user}-${i}` }));
  return logged;
}

/** A request's outcome for a table of them: `ack`, or the refusal's code. */
export const outcome = (reply: { readonly type: string; readonly code?: unknown }): string => (reply.type === 'ack' ? 'ack' : String(reply.code));
