/**
 * The page itself: it loads without a failed request (favicon included), says at once when it
 * is opened over plain http on another address (no camera or microphone there) or with a `?config=` that is not
 * JSON (signing nobody in), shows the
 * connection coming back after a drop, comes back signed in after `npm start` is restarted, and stays
 * signed out, saying why, when the same user signs in elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ServerHandle, silentLogger, startServer } from '../../server/index';
import { DEMO_DIR } from './support/demoServer';
import { screenshot } from './support/screen';
import { e2eSuite } from './support/suite';

type Demo = { hcDemo: { connection: string[]; events: Array<{ name: string; payload: Record<string, unknown> }> } };

describe('demo page: loading, insecure origins, reconnecting', () => {
  // demo.test is this machine, but not "localhost": a page from it is no secure context.
  const world = e2eSuite({ flags: ['--host-resolver-rules=MAP demo.test 127.0.0.1'] });

  it('loads with no failed request or console error, the favicon included', async () => {
    const page = await world.blank(); // nobody signs in: the load is what is looked at
    const failed: string[] = [];
    const errors: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${world.server.handle.httpUrl}/`);
    await page.waitForSelector('#login-form');
    const icon = await page.evaluate(async () => (await fetch((document.querySelector('link[rel="icon"]') as HTMLLinkElement).href)).status);
    expect({ icon, failed, errors }).toEqual({ icon: 200, failed: [], errors: [] });
    expect(await page.locator('#insecure').isHidden()).toBe(true); // 127.0.0.1 is a secure context
  });

  it('over plain http on a non-localhost address: says at load that camera and microphone need https or localhost', async () => {
    const insecure = await world.blank(); // starts the server; the page opens elsewhere than 127.0.0.1
    const port = world.server.handle.port;
    await insecure.goto(`http://demo.test:${port}/`);
    await insecure.waitForSelector('#insecure:not(.hidden)');
    expect(await insecure.locator('#insecure').textContent()).toBe(
      `Camera and microphone need https or localhost: this page was opened over http at demo.test, so calls cannot use them. On this machine open http://localhost:${port}/ instead; from another device, serve the page over https.`,
    );
    await screenshot(insecure, 'desktop-10-insecure-origin');
    await insecure.close();
  });

  // The leftovers of 2026-12-07: a ?config= that is not JSON failed the sign-in with the parser's "Unexpected token".
  it('a ?config= that is not JSON: the page says so as it loads, signs nobody in (?user= neither), and refuses the form with the same words', async () => {
    const bad = await world.blank(); // starts the server
    await bad.goto(`${world.server.handle.httpUrl}/?user=dave&config=${encodeURIComponent('{leaveGraceMs:2000}')}`);
    await bad.waitForSelector('#login-error:not(.hidden)');
    const said = await bad.locator('#login-error').textContent();
    expect(said).toMatch(/^The address's \?config= is not JSON \(.+\): correct it, or take it out of the address, to sign in\.$/);
    await bad.click('#login-btn');
    await bad.waitForFunction(() => (globalThis as unknown as { hcDemo: { events: Array<{ name: string }> } }).hcDemo.events.some((e) => e.name === 'login() rejected'));
    expect(await bad.locator('#login-error').textContent()).toBe(said);
    expect(await bad.evaluate(() => (globalThis as unknown as { hcDemo: { calling(): unknown } }).hcDemo.calling())).toBeNull();
    await bad.close();
  });

  // A newcomer following the README: ?config= with a key the library does not take, and ?user=, showed nothing at all
  // (the refusal went to the outcome panel, hidden until signed in); the form's sign-in said "New TRTCCalling: config: ...".
  it("a ?config= the library refuses, with ?user=: the sign-in form says the library's words as the page loads", async () => {
    const bad = await world.blank();
    await bad.goto(`${world.server.handle.httpUrl}/?user=dave&config=${encodeURIComponent('{"leaveGrace":2000}')}`);
    await bad.waitForFunction(() => (globalThis as unknown as { hcDemo: { events: Array<{ name: string }> } }).hcDemo.events.some((e) => e.name === 'login() rejected'));
    await bad.waitForSelector('#login-error:not(.hidden)');
    expect(await bad.locator('#login-error').textContent()).toBe(
      'Config: unknown key leaveGrace (it takes noAnswerGraceMs, exitTimeoutMs, aloneTimeoutMs, leaveGraceMs, missingMemberMs).',
    );
    expect(await bad.evaluate(() => document.body.dataset.view)).toBe('signedOut');
    await bad.close();
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

  it('npm start restarted while pages are open (a new throwaway demo key: their userSigs are refused) -> each page signs in again by itself, says nothing false, and calls work', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob');
    const { port } = world.server.handle;
    await world.server.handle.close();
    await alice.page.waitForFunction(() => (globalThis as unknown as Demo).hcDemo.connection.includes('connecting'));
    let again: ServerHandle | undefined;
    try {
      // As `npm start` starts again: the same port, demo signing with a new random key.
      again = await startServer({ port, dbPath: ':memory:', sdkAppId: 1400000001, secretKey: randomBytes(16).toString('hex'), demoSigning: true, presence: true, staticDir: DEMO_DIR, logger: silentLogger });
      for (const user of [alice, bob]) {
        await user.page.waitForFunction(() => (globalThis as unknown as Demo).hcDemo.events.filter((e) => e.name === 'sdkReady').length === 2, undefined, { timeout: 30_000 });
        const kicks = (await user.events()).filter((e) => e.name === 'onKickedOut').map((e) => e.payload.reason);
        expect(kicks).toEqual(['userSigForged']);
        await user.page.waitForSelector(`#whoami:has-text("${user.userID}")`);
        expect(await user.page.locator('#login-error').isHidden()).toBe(true);
        expect(await user.page.locator('#connection').textContent()).toBe('Online');
      }
      await alice.page.waitForSelector('#people-list li:has-text("bob")');
      await alice.call('bob');
      await bob.answer('accept', 'alice');
      expect((await alice.waitFrames('bob', 3)).width).toBeGreaterThan(0);
      expect((await bob.waitFrames('alice', 3)).width).toBeGreaterThan(0);
      await alice.click('hangup');
      await bob.waitEvent('onCallEnd');
    } finally {
      await again?.close();
    }
  });

  it('the same user signed in on a second page -> the first says so (multipleAccount) and stays signed out: no sign-in of its own back', async () => {
    const first = await world.open('alice');
    await world.open('alice', { deviceCheck: false });
    await first.waitEvent('onKickedOut', { reason: 'multipleAccount' });
    await first.view('signedOut');
    expect(await first.page.locator('#login-error').textContent()).toBe('You signed in somewhere else, so this tab was signed out.');
    expect(await first.page.locator('#login-error').isVisible()).toBe(true);
    expect(await first.page.locator('#status').textContent()).toBe('Signed in elsewhere');
    expect((await first.events()).filter((e) => e.name === 'sdkReady')).toHaveLength(1);
  });
});
