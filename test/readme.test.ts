/**
 * The README's Quick start runs as written: each program between `<!-- snippet:NAME -->` and
 * `<!-- /snippet -->` is the file `examples/NAME.mjs` (what `npm run example` runs), and runs to
 * its end with the output it promises. The memory one runs in virtual time (fake timers: its
 * 2 s call takes no real time); the server one against a real server on a free port, the way
 * `npm start` runs it (demo signing), in real time. Only the package specifiers are pointed at
 * the sources (`headless-calling` is this very package).
 */
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ServerHandle, silentLogger, startServer } from '../server/index';

const ROOT = resolve(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SOURCES: Record<string, string> = {
  'headless-calling/testing': join(ROOT, 'src/testing.ts'),
  'headless-calling/embedded': join(ROOT, 'src/embedded.ts'),
  'headless-calling': join(ROOT, 'src/index.ts'),
};

/** The one fenced code block between the snippet's markers. */
export function snippet(readme: string, name: string): string {
  const start = readme.indexOf(`<!-- snippet:${name} -->`);
  const end = readme.indexOf('<!-- /snippet -->', start);
  if (start < 0 || end < 0) throw new Error(`README.md has no snippet ${name}`);
  const blocks = [...readme.slice(start, end).matchAll(/```(?:js|ts|javascript)\n([\s\S]*?)```/g)];
  if (blocks.length !== 1) throw new Error(`snippet ${name} must hold exactly one code block, has ${blocks.length}`);
  return blocks[0]?.[1] ?? '';
}

const written: string[] = [];
let count = 0;

/** Writes the snippet as a module whose package imports point at the sources; returns its path. */
function asModule(name: string, code: string): string {
  const dir = join(ROOT, 'test-artifacts/snippets');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}-${++count}.mjs`);
  written.push(file);
  writeFileSync(file, code.replace(/from '(headless-calling(?:\/\w+)?)'/g, (whole, spec: string) => (SOURCES[spec] ? `from '${SOURCES[spec]}'` : whole)));
  return file;
}

/** console.log lines written while `run` runs. */
async function output(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('README Quick start', () => {
  afterEach(() => {
    vi.useRealTimers();
    for (const file of written.splice(0)) rmSync(file, { force: true });
  });

  for (const name of ['quickstart-memory', 'quickstart-server']) {
    it(`the ${name} snippet is examples/${name}.mjs, word for word`, () => {
      expect(snippet(README, name)).toBe(readFileSync(join(ROOT, `examples/${name}.mjs`), 'utf8'));
    });
  }

  it('quickstart-memory: two users over the memory network, no userSig checks; runs to its end in virtual time', async () => {
    const file = asModule('quickstart-memory', snippet(README, 'quickstart-memory'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const started = Date.now();
    let elapsed = 0;
    const lines = await output(async () => {
      let done = false;
      const program = import(file).then(() => {
        done = true;
      });
      // Time moves only when the program waits for nothing but a timer; until then (loading its
      // modules) it gets real turns of the event loop (setImmediate is not faked).
      while (!done && Date.now() - started < 60_000) {
        if (vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
        else await new Promise<void>((next) => setImmediate(next));
      }
      await program;
      elapsed = Date.now() - started;
    });
    expect(lines).toEqual([
      'bob: alice is calling',
      'alice: bob joined, hanging up in 2 s',
      'alice: call ended (hangup, 2 s)',
      'bob: call ended (hangup, 2 s)',
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(2000); // virtual: the call lasted its 2 s
    expect(elapsed).toBeLessThan(3000);
  });

  it('quickstart-server: two users over the embedded server (userSigs from its demo /usersig, ws in Node 20), real time', async () => {
    let server: ServerHandle | undefined;
    const saved = process.env.HC_URL;
    try {
      server = await startServer({ port: 0, dbPath: ':memory:', sdkAppId: 1400000001, secretKey: 'quickstart-test-key', demoSigning: true, presence: true, logger: silentLogger });
      process.env.HC_URL = server.httpUrl;
      const file = asModule('quickstart-server', snippet(README, 'quickstart-server'));
      const lines = await output(async () => {
        await import(file);
      });
      expect(lines).toEqual([
        'bob: alice is calling',
        'alice: bob answered, hanging up in 2 s',
        'alice: call ended (hangup, 2 s)',
        'bob: call ended (hangup, 2 s)',
      ]);
    } finally {
      if (saved === undefined) delete process.env.HC_URL;
      else process.env.HC_URL = saved;
      await server?.close();
    }
  });

  it('quickstart-server without a server says which, and why: a refused port, and one fetch will not ask (HC_URL=...:9)', async () => {
    const saved = process.env.HC_URL;
    const failure = async (url: string) => {
      process.env.HC_URL = url;
      // A fresh copy each time: a module runs once per file name.
      return import(asModule('quickstart-server', snippet(README, 'quickstart-server'))).then(() => 'ran', (error: Error) => error.message);
    };
    try {
      const hint = 'is npm start running? (on another port: set HC_URL)';
      // Port 9 is on fetch's list of bad ports: its error's cause has no code, and the program said "(fetch failed)".
      expect(await failure('http://127.0.0.1:9')).toBe(`cannot reach http://127.0.0.1:9 (bad port): ${hint}`);
      const closed = await new Promise<number>((done) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => done(port));
        });
      });
      expect(await failure(`http://127.0.0.1:${closed}`)).toBe(`cannot reach http://127.0.0.1:${closed} (ECONNREFUSED): ${hint}`);
    } finally {
      if (saved === undefined) delete process.env.HC_URL;
      else process.env.HC_URL = saved;
    }
  });
});
