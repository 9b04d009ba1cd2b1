/**
 * The client package as an app installs it: `npm pack`, then `npm install <tarball>` into an
 * empty project with install scripts on (offline from npm's cache where it can). Nothing is
 * built or run at install, nothing server-side comes with it, and the installed package's ESM
 * and CommonJS entry points load and carry a call over the memory network; its declarations
 * type-check in a strict project that checks libraries too. Run after `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_SCRIPTS, type Manifest, npm, pack, readJson } from './packing';

let dir = '';
let app = '';

/** A call on a simulated clock: Alice calls Bob, Bob accepts, Alice hangs up; prints Alice's events. */
const CALL = `
const net = createMemoryNetwork({ clock: new SimulatedClock() });
const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
const log = captureEvents(alice);
bob.on(TRTCCalling.EVENT.INVITED, () => void bob.accept());
await alice.login({ userID: 'alice', userSig: 's' });
await bob.login({ userID: 'bob', userSig: 's' });
await alice.call({ userID: 'bob', type: 1, timeout: 30 });
await net.advance(1000);
await alice.hangup();
await net.advance(1000);
alice.destroy();
bob.destroy();
`;

const ESM = `
import TRTCCalling from 'headless-calling';
import { createMemoryNetwork, SimulatedClock, captureEvents } from 'headless-calling/testing';
import { embeddedBackend, webrtcBackend } from 'headless-calling/embedded';
import { tencentBackend } from 'headless-calling/tencent';
import { statelyInspector } from 'headless-calling/inspect';
${CALL}
const loaded = [embeddedBackend, webrtcBackend, tencentBackend, statelyInspector].map((f) => typeof f);
console.log(JSON.stringify({ from: import.meta.resolve('headless-calling'), loaded, events: log.names() }));
`;

const CJS = `
const { TRTCCalling } = require('headless-calling');
const { createMemoryNetwork, SimulatedClock, captureEvents } = require('headless-calling/testing');
const { embeddedBackend, webrtcBackend } = require('headless-calling/embedded');
const { tencentBackend } = require('headless-calling/tencent');
const { statelyInspector } = require('headless-calling/inspect');
(async () => {
${CALL}
const loaded = [embeddedBackend, webrtcBackend, tencentBackend, statelyInspector].map((f) => typeof f);
console.log(JSON.stringify({ from: require.resolve('headless-calling'), loaded, events: log.names() }));
})();
`;

/**
 * A strict TypeScript project that checks the libraries' declarations too (`skipLibCheck: false`,
 * TypeScript's default): every subpath but `tencent`, whose declarations name the optional Tencent
 * SDKs an app of that backend installs.
 */
const TYPED = `
import TRTCCalling, { lineMachine, type CallingSnapshot } from 'headless-calling';
import { createMemoryNetwork, SimulatedClock } from 'headless-calling/testing';
import { embeddedBackend, webrtcBackend } from 'headless-calling/embedded';
import { statelyInspector } from 'headless-calling/inspect';
const net = createMemoryNetwork({ clock: new SimulatedClock() });
const calling = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
const snapshot: CallingSnapshot = calling.getSnapshot();
calling.on(TRTCCalling.EVENT.KICKED_OUT, ({ reason }: { reason: string }) => console.log(reason));
export const used = [snapshot, lineMachine.id, embeddedBackend, webrtcBackend, statelyInspector];
`;

/**
 * An app under `exactOptionalPropertyTypes` (with `skipLibCheck`: xstate's own declarations do not check under it)
 * gives options as `undefined`: no value, as at run time.
 */
const EXACT = `
import TRTCCalling from 'headless-calling';
import { createMemoryNetwork } from 'headless-calling/testing';
const inspect = Math.random() > 1 ? (event: unknown) => console.log(event) : undefined;
export const calling = new TRTCCalling({ SDKAppID: 1, backend: createMemoryNetwork().backend(), inspect, config: undefined, clock: undefined, onDropped: undefined });
`;

/**
 * The optional peers, not installed here: each entry point that loads one on first use says what needs it and what
 * to install (Node's own `ERR_MODULE_NOT_FOUND` named neither), and keeps Node's error as the cause.
 */
const PEERS = `
import TRTCCalling from 'headless-calling';
import { tencentBackend } from 'headless-calling/tencent';
import { statelyInspector } from 'headless-calling/inspect';
const told = (error) => ({ message: error.message, cause: error.cause?.code });
const out = {};
await statelyInspector({ kind: 'callback', send() {} }).then(() => { out.inspector = 'loaded'; }, (error) => { out.inspector = told(error); });
const calling = new TRTCCalling({ SDKAppID: 1400000001, backend: tencentBackend({ SDKAppID: 1400000001 }) });
await calling.login({ userID: 'alice', userSig: 's' }).then(() => { out.login = 'logged in'; }, (error) => { out.login = { code: error.code, ...told(error.cause ?? error) }; });
console.log(JSON.stringify(out));
process.exit(0);
`;

const EVENTS = ['sdkReady', 'onUserAccept', 'onUserEnter', 'onUserAudioAvailable', 'onCallEnd'];

/** Every package.json under a node_modules folder, and every binding.gyp (which npm builds with node-gyp). */
function scan(nodeModules: string): { manifests: string[]; gyp: string[] } {
  const manifests: string[] = [];
  const gyp: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'package.json') manifests.push(path);
      else if (entry.name === 'binding.gyp') gyp.push(path);
    }
  };
  walk(nodeModules);
  return { manifests, gyp };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hc-install-'));
  const { tarball } = pack('client', dir);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  npm(['install', tarball, '--prefer-offline', '--ignore-scripts=false', '--no-audit', '--no-fund'], app);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm install <packed headless-calling> in an empty project', () => {
  it('installs headless-calling, xstate and valibot, and nothing else: no ws, no better-sqlite3, no server', () => {
    const lock = readJson<{ packages: Record<string, unknown> }>(join(app, 'node_modules/.package-lock.json'));
    expect(Object.keys(lock.packages).sort()).toEqual(['node_modules/headless-calling', 'node_modules/valibot', 'node_modules/xstate']);
    expect(readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.')).sort()).toEqual(['headless-calling', 'valibot', 'xstate']);
  });

  it('runs no install script and builds nothing native: no package has one, none has a binding.gyp', () => {
    const lock = readJson<{ packages: Record<string, { hasInstallScript?: boolean }> }>(join(app, 'node_modules/.package-lock.json'));
    expect(Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript)).toEqual([]);
    const { manifests, gyp } = scan(join(app, 'node_modules'));
    expect(manifests.length).toBeGreaterThanOrEqual(3);
    const withScripts = manifests.filter((path) => INSTALL_SCRIPTS.some((name) => readJson<Manifest>(path).scripts?.[name] !== undefined));
    expect({ withScripts, gyp }).toEqual({ withScripts: [], gyp: [] });
  });

  it('ESM: every subpath loads from the installed package and a memory-network call runs', () => {
    writeFileSync(join(app, 'call.mjs'), ESM);
    const out = JSON.parse(execFileSync(process.execPath, ['call.mjs'], { cwd: app, encoding: 'utf8' }).trim()) as { from: string; loaded: string[]; events: string[] };
    expect(out).toEqual({ from: `file://${join(app, 'node_modules/headless-calling/dist/index.js')}`, loaded: ['function', 'function', 'function', 'function'], events: EVENTS });
  });

  it('TypeScript: its declarations type-check in a strict project with skipLibCheck off (the line machine\'s children clashed with an index signature, TS2411), and options given as undefined under exactOptionalPropertyTypes', () => {
    const tsc = resolve(import.meta.dirname, '../../node_modules/typescript/bin/tsc');
    const check = (file: string, source: string, options: Record<string, unknown>) => {
      writeFileSync(join(app, file), source);
      const compilerOptions = { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], ...options };
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [file] }));
      try {
        execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
        return '';
      } catch (error) {
        return String((error as { stdout?: string }).stdout ?? error);
      }
    };
    expect(check('typed.mts', TYPED, { skipLibCheck: false })).toBe('');
    expect(check('exact.mts', EXACT, { skipLibCheck: true, exactOptionalPropertyTypes: true })).toBe('');
  }, 120_000); // tsc over xstate's types: 10 s here when quiet, past 20 s beside the rest of the suite

  it('an optional peer that is not installed (the Stately inspector, the Tencent SDKs) is named with what to install', () => {
    writeFileSync(join(app, 'peers.mjs'), PEERS);
    const out = JSON.parse(execFileSync(process.execPath, ['peers.mjs'], { cwd: app, encoding: 'utf8' }).trim()) as unknown;
    const needs = (what: string, peer: string) => `${what} needs ${peer}, an optional peer dependency of headless-calling that is not installed: npm install ${peer}`;
    expect(out).toEqual({
      inspector: { message: needs('statelyInspector', '@statelyai/inspect'), cause: 'ERR_MODULE_NOT_FOUND' },
      // The login's CallingError (TIM's own code for an unknown failure) carries it as its cause.
      login: { code: 65535, message: needs('the tencent backend', 'tim-js-sdk'), cause: 'ERR_MODULE_NOT_FOUND' },
    });
  });

  it('CommonJS: every subpath loads from the installed package and a memory-network call runs', () => {
    writeFileSync(join(app, 'call.cjs'), CJS);
    const out = JSON.parse(execFileSync(process.execPath, ['call.cjs'], { cwd: app, encoding: 'utf8' }).trim()) as { from: string; loaded: string[]; events: string[] };
    expect(out).toEqual({ from: join(app, 'node_modules/headless-calling/dist/index.cjs'), loaded: ['function', 'function', 'function', 'function'], events: EVENTS });
  });
});
