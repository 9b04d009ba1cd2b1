/** The embedded server serving the built demo page (demo/dist), on a free port, as npm start runs it: demo signing and presence on. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ServerHandle, type ServerOptions, silentLogger, startServer } from '../../../server/index';

/** The built demo (npm run build:demo). */
export const DEMO_DIR = resolve(import.meta.dirname, '../../../demo/dist');

/** A server for one test file. */
export interface DemoServer {
  readonly handle: ServerHandle;
  dispose(): Promise<void>;
}

export async function demoServer(overrides: Partial<ServerOptions> = {}): Promise<DemoServer> {
  if (!existsSync(join(DEMO_DIR, 'main.js'))) throw new Error(`${DEMO_DIR} is not built: run npm run build:demo`);
  const dir = mkdtempSync(join(tmpdir(), 'hc-e2e-'));
  const handle = await startServer({
    port: 0,
    dbPath: join(dir, 'calling.db'),
    sdkAppId: 1400000001,
    secretKey: randomBytes(16).toString('hex'),
    demoSigning: true,
    presence: true,
    staticDir: DEMO_DIR,
    logger: silentLogger,
    ...overrides,
  });
  return {
    handle,
    async dispose() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
