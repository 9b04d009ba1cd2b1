/**
 * Importing the package root, `headless-calling/testing` or `headless-calling/embedded` never
 * loads a Tencent SDK, and neither does `headless-calling/tencent` used with injected instances.
 *
 * 1. In process: both SDK module IDs are mocked to throw when loaded, then everything is imported
 *    from source and a whole call runs on the tencent backend over the fakes.
 * 2. The published build (dist, run `npm run build` first; `npm test` does): a child Node process
 *    whose module resolution throws on either SDK, ESM and CommonJS alike, imports every entry
 *    point and makes a tencent backend with injected instances.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

vi.mock('trtc-js-sdk', () => {
  throw new Error('trtc-js-sdk was loaded');
});
vi.mock('tim-js-sdk', () => {
  throw new Error('tim-js-sdk was loaded');
});

const ROOT = new URL('../../', import.meta.url);

describe('no Tencent SDK is loaded', () => {
  it('the trap works: loading an SDK in this file throws', async () => {
    // vitest wraps the factory's error in its own ("There was an error when mocking a module").
    await expect(import('tim-js-sdk')).rejects.toThrow(/mock/);
    await expect(import('trtc-js-sdk')).rejects.toThrow(/mock/);
  });

  it('from source: the root, testing, embedded and tencent entry points, and a whole call over injected fakes', async () => {
    await import('../../src/index');
    await import('../../src/testing');
    await import('../../src/embedded');
    await import('../../src/tencent');
    const { tencentWorld } = await import('./tencentWorld');
    const world = tencentWorld();
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(1000);
    await bob.calling.accept();
    await world.advance(1000);
    await alice.calling.hangup();
    await world.advance(1000);
    expect(alice.events.names()).toEqual(['onUserAccept', 'onUserEnter', 'onUserAudioAvailable', 'onUserVideoAvailable', 'onCallEnd']);
    await world.dispose();
  });

  const built = existsSync(new URL('dist/tencent.js', ROOT));
  it.runIf(built)('from dist, in a fresh Node process: ESM and CommonJS entry points, and a tencent backend with injected instances', () => {
    const script = `
      const esm = await Promise.all(['index', 'testing', 'embedded', 'tencent'].map((n) => import('./dist/' + n + '.js')));
      const stub = { on() {}, off() {} };
      const backend = esm[3].tencentBackend({ SDKAppID: 1400000001, tim: stub, TRTC: {} });
      const { createRequire } = await import('node:module');
      const require = createRequire(process.cwd() + '/');
      for (const n of ['index', 'testing', 'embedded', 'tencent']) require('./dist/' + n + '.cjs');
      let trapped = false;
      try { await import('tim-js-sdk'); } catch (e) { trapped = /TRAPPED/.test(String(e)); }
      const sdkInCache = Object.keys(require.cache).filter((k) => /trtc-js-sdk|tim-js-sdk/.test(k));
      console.log(JSON.stringify({ backend: backend.name, trapped, sdkInCache }));
    `;
    const out = execFileSync(process.execPath, ['--import', './test/tencent/support/sdkTrap.mjs', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1) ?? '{}')).toEqual({ backend: 'tencent', trapped: true, sdkInCache: [] });
  });
});
