/** The demo page's files (`staticDir`), served at `/`: nothing outside the folder, nothing but known types. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STATIC_CSP } from '../../server/http';
import { testServer, type TestServer } from './support';

/** A GET with the path sent as is (fetch would normalize `..` away). */
function rawGet(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('http: static files', () => {
  let server: TestServer | undefined;
  let dir = '';
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET / is index.html, assets by type; traversal, unknown types and missing files are 404; health still answers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-static-'));
    const site = join(dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<h1>demo</h1>');
    writeFileSync(join(site, 'main.js'), 'export {};');
    writeFileSync(join(site, 'notes.txt'), 'private');
    writeFileSync(join(dir, 'secret.html'), 'outside');
    server = await testServer({ staticDir: site });
    const base = server.handle.httpUrl;
    const index = await fetch(`${base}/`);
    expect([index.status, index.headers.get('content-type'), await index.text()]).toEqual([200, 'text/html; charset=utf-8', '<h1>demo</h1>']);
    const script = await fetch(`${base}/main.js`);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await fetch(`${base}/notes.txt`)).status).toBe(404);
    expect((await fetch(`${base}/missing.js`)).status).toBe(404);
    expect(await rawGet(base, '/../secret.html')).toBe(404);
    expect(await rawGet(base, '/%2e%2e/secret.html')).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('a symbolic link out of the folder and dotfiles are 404; a link inside it is served; nosniff everywhere, the CSP on the files', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-static-'));
    const site = join(dir, 'site');
    mkdirSync(site);
    mkdirSync(join(site, '.git'));
    mkdirSync(join(dir, 'private'));
    writeFileSync(join(site, 'index.html'), '<h1>demo</h1>');
    writeFileSync(join(site, '.secret.js'), 'dot');
    writeFileSync(join(site, '.git', 'config.js'), 'dot folder');
    writeFileSync(join(dir, 'secret.html'), 'outside');
    writeFileSync(join(dir, 'private', 'key.js'), 'outside');
    symlinkSync(join(dir, 'secret.html'), join(site, 'leak.html'));
    symlinkSync(join(dir, 'private'), join(site, 'assets'));
    symlinkSync(join(site, 'index.html'), join(site, 'home.html'));
    server = await testServer({ staticDir: site });
    const base = server.handle.httpUrl;
    const statuses = await Promise.all(['/leak.html', '/assets/key.js', '/.secret.js', '/.git/config.js', '/%2egit/config.js', '/home.html'].map((p) => rawGet(base, p)));
    expect(statuses).toEqual([404, 404, 404, 404, 404, 200]);
    const index = await fetch(`${base}/`);
    expect([index.headers.get('x-content-type-options'), index.headers.get('content-security-policy')]).toEqual(['nosniff', STATIC_CSP]);
    expect(STATIC_CSP).toContain("script-src 'self'");
    expect((await fetch(`${base}/healthz`)).headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('without staticDir, / is 404 as before', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-static-'));
    server = await testServer();
    expect((await fetch(`${server.handle.httpUrl}/`)).status).toBe(404);
  });
});
