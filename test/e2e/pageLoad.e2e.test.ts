/**
 * The page itself: it loads without a failed request (favicon included), says at once when it
 * is opened over plain http on another address (no camera or microphone there), and shows the
 * connection coming back after a drop.
 */
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/screen';
import { e2eSuite } from './support/suite';

describe('demo page: loading, insecure origins, reconnecting', () => {
  // demo.test is this machine, but not "localhost": a page from it is no secure context.
  const world = e2eSuite({ flags: ['--host-resolver-rules=MAP demo.test 127.0.0.1'] });

  it('loads with no failed request or console error, the favicon included', async () => {
    const alice = await world.open('alice');
    const failed: string[] = [];
    const errors: string[] = [];
    alice.page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    alice.page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await alice.page.reload();
    await alice.page.waitForSelector('#login-form');
    const icon = await alice.page.evaluate(async () => (await fetch((document.querySelector('link[rel="icon"]') as HTMLLinkElement).href)).status);
    expect({ icon, failed, errors }).toEqual({ icon: 200, failed: [], errors: [] });
    expect(await alice.page.locator('#insecure').isHidden()).toBe(true); // 127.0.0.1 is a secure context
  });

  it('over plain http on a non-localhost address: says at load that camera and microphone need https or localhost', async () => {
    const carol = await world.open('carol'); // starts the server; her context opens the page again, elsewhere
    const port = world.server.handle.port;
    const insecure = await carol.context.newPage();
    await insecure.goto(`http://demo.test:${port}/`);
    await insecure.waitForSelector('#insecure:not(.hidden)');
    expect(await insecure.locator('#insecure').textContent()).toBe(
      `Camera and microphone need https or localhost: this page was opened over http at demo.test, so calls cannot use them. On this machine open http://localhost:${port}/ instead; from another device, serve the page over https.`,
    );
    await screenshot(insecure, 'desktop-10-insecure-origin');
    await insecure.close();
  });

  it('a dropped connection: the page shows it reconnecting, then online again', async () => {
    const alice = await world.open('alice');
    expect(await alice.page.evaluate(() => (globalThis as unknown as { hcDemo: { connection: string[] } }).hcDemo.connection)).toEqual(['connected']);
    expect(world.server.handle.dropConnections('alice')).toBe(1);
    await alice.page.waitForFunction(() => (globalThis as unknown as { hcDemo: { connection: string[] } }).hcDemo.connection.length >= 3);
    expect(await alice.page.evaluate(() => (globalThis as unknown as { hcDemo: { connection: string[] } }).hcDemo.connection)).toEqual(['connected', 'connecting', 'connected']);
    expect(await alice.page.locator('#connection').textContent()).toBe('Online');
    expect(await alice.page.locator('#reconnecting').isHidden()).toBe(true);
  });
});
