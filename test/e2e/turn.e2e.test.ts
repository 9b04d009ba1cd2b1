/**
 * Calls relayed by a real TURN server, Debian's coturn (`turnserver`; `.ci/run` installs it), with
 * the credentials the embedded server hands each login (`--turn-urls`, `--turn-secret`): coturn
 * runs with `--use-auth-secret` and the same secret, as the README's "Calls beyond one network"
 * says. The pages ask for media through TURN only (`?relay=1`: `iceTransportPolicy: 'relay'`), so
 * a call shows video only if coturn took the credentials and relayed it; a server whose secret
 * coturn does not share gets no relay candidate at all (coturn answers 401).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connections, type DemoUser, keepPeerConnections } from './support/demoPage';
import { e2eSuite } from './support/suite';

const SECRET = 'shared by the embedded server and coturn';

/** Whether `port` on 127.0.0.1 can be bound now over `udp`, or over TCP. */
function bindable(port: number, udp: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = udp ? createSocket('udp4') : createServer();
    socket.once('error', () => resolve(false));
    const close = () => (udp ? (socket as Socket).close(() => resolve(true)) : (socket as Server).close(() => resolve(true)));
    if (udp) (socket as Socket).bind(port, '127.0.0.1', close);
    else (socket as Server).listen(port, '127.0.0.1', close);
  });
}

/**
 * A port for coturn, free for TCP and UDP, with its relay range (the next 60) free for UDP: taken from
 * below Linux's ephemeral range (32768 up), where no socket of the pages or the server lands by chance.
 */
async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const all = await Promise.all([bindable(port, false), ...Array.from({ length: 61 }, (_, i) => bindable(port + i, true))]);
    if (all.every(Boolean)) return port;
  }
  throw new Error('no free port for coturn below 32768');
}

/** Debian's coturn on 127.0.0.1:`port`, taking REST API credentials made with {@link SECRET}, relaying between loopback peers. */
async function startCoturn(port: number, dir: string): Promise<{ process: ChildProcess; log: () => string }> {
  let log = '';
  const child = spawn('turnserver', [
    '-n', '--no-cli', '--no-tls', '--no-dtls', '--simple-log', '--log-file=stdout',
    '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--use-auth-secret', `--static-auth-secret=${SECRET}`, '--realm=headless-calling',
    '--allow-loopback-peers', `--min-port=${port + 1}`, `--max-port=${port + 60}`,
    `--db=${join(dir, 'turndb')}`, `--pidfile=${join(dir, 'turnserver.pid')}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`cannot run turnserver (Debian's coturn; .ci/run installs it): ${error.message}`)));
  });
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (data: Buffer) => void (log += data.toString()));
  await spawned;
  // Up once it takes a TCP connection on its port (it listens on TCP and UDP alike).
  for (let tries = 0; ; tries++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(true));
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.destroy());
    });
    if (up) return { process: child, log: () => log };
    if (tries > 100 || child.exitCode !== null) throw new Error(`coturn did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the page's peer connection was made with, and the kinds of candidates of the pair ICE chose. */
async function relayOf(user: DemoUser): Promise<{ policy: string | undefined; urls: string[]; usernames: string[]; local?: string; remote?: string }> {
  return user.page.evaluate(async () => {
    const pc = (globalThis as unknown as Connections).peerConnections.at(-1) as RTCPeerConnection;
    const config = pc.getConfiguration();
    const stats = [...(await pc.getStats()).values()] as Array<Record<string, unknown>>;
    const pair = stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    const kind = (id: unknown) => stats.find((s) => s.id === id)?.candidateType as string | undefined;
    return {
      policy: config.iceTransportPolicy,
      urls: (config.iceServers ?? []).flatMap((s) => [s.urls].flat()),
      usernames: (config.iceServers ?? []).map((s) => String(s.username)),
      ...(pair ? { local: kind(pair.localCandidateId), remote: kind(pair.remoteCandidateId) } : {}),
    };
  });
}

describe('calls relayed by a real coturn with the credentials each login gets', () => {
  let dir = '';
  let port = 0;
  let coturn: Awaited<ReturnType<typeof startCoturn>> | undefined;
  let secret = SECRET;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-coturn-'));
    port = await freePort();
    coturn = await startCoturn(port, dir);
  });
  afterAll(() => {
    coturn?.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const world = e2eSuite({ server: () => ({ turn: { urls: [`turn:127.0.0.1:${port}?transport=udp`], secret } }) });

  it('relay only: Alice calls Bob with video, both see each other, and ICE chose a pair of relay candidates on both pages', async () => {
    secret = SECRET;
    const alice = await world.open('alice', { query: '?relay=1', init: keepPeerConnections });
    const bob = await world.open('bob', { query: '?relay=1', init: keepPeerConnections });
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    const [atAlice, atBob] = await Promise.all([alice.waitFrames('bob'), bob.waitFrames('alice')]);
    expect(atAlice.width * atBob.width).toBeGreaterThan(0);

    for (const [user, userID] of [[alice, 'alice'], [bob, 'bob']] as const) {
      const seen = await relayOf(user);
      expect(seen, coturn?.log()).toMatchObject({ policy: 'relay', urls: [`turn:127.0.0.1:${port}?transport=udp`], local: 'relay', remote: 'relay' });
      expect(seen.usernames).toEqual([expect.stringMatching(new RegExp(`^\\d+:${userID}$`))]);
    }
    await alice.click('hangup');
    await bob.waitEvent('onCallEnd');
  });

  it('a server whose secret coturn does not share: the page gathers no relay candidate, so no media can flow', async () => {
    secret = 'not the secret coturn has';
    const logged = coturn?.log().length ?? 0;
    const alice = await world.open('alice', { query: '?relay=1', init: keepPeerConnections });
    const bob = await world.open('bob', { query: '?relay=1', init: keepPeerConnections });
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    // Gathering ends (coturn refused every allocation) with not one candidate to offer.
    await alice.page.waitForFunction(() => (globalThis as unknown as Connections).peerConnections.at(-1)?.iceGatheringState === 'complete', undefined, { timeout: 20_000 });
    const candidates = await alice.page.evaluate(async () => {
      const pc = (globalThis as unknown as Connections).peerConnections.at(-1) as RTCPeerConnection;
      return [...(await pc.getStats()).values()].filter((s: { type: string }) => s.type === 'local-candidate').length;
    });
    expect(candidates).toBe(0);
    expect((await relayOf(alice)).local).toBeUndefined();
    // Refused by coturn itself (not down): it found no credentials matching Alice's username.
    expect(coturn?.log().slice(logged)).toMatch(/check_stun_auth: Cannot find credentials of user <\d+:alice>/);
    await alice.click('hangup');
  });
});
