/**
 * Attack: "other users' kicks push mine out" (the server after a week, 2026-12-05). A session kicked
 * by a newer login never resumes: its token is refused (`sessionSuperseded`). Two tabs holding the
 * very same userSig (one app, one cached userSig) are told apart by that alone. The server kept the
 * kicked tokens of every user in one memory of the newest 4,096: other users' kicks (Mallory kicking
 * herself from fresh connections, or a popular server's ordinary device switches overnight) pushed
 * Hana's out, and her kicked tab, waking up and resuming with its token, became a new session and
 * kicked the tab she was using. Now a user keeps her own kicked tokens (her newest 256, a week from her
 * last kick, through her logouts), whatever the others do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from '../server/support';

/** More kicks than the server-wide memory holds (4,096). */
const KICKS = 4200;
/** Mallory's accounts, each kicked in turn (70 logins each: within a user's burst of 200). */
const ACCOUNTS = 60;

const sig = tencentUserSig('hana');

describe("a user's kicked tokens against everyone else's kicks", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer();
  });
  afterEach(() => server.dispose());

  /** Each login from a fresh connection kicks the account's session before it (one per address: its connect rate). */
  async function malloryKicksHerself(url: string): Promise<void> {
    let address = 0;
    for (let kick = 0; kick < KICKS; kick += ACCOUNTS) {
      await Promise.all(
        Array.from({ length: ACCOUNTS }, async (_, i) => {
          address++;
          const local = `127.${1 + (address >> 16)}.${(address >> 8) & 255}.${address & 255}`;
          (await RawClient.login(url, `mallory${i}`, { localAddress: local })).terminate();
        }),
      );
    }
    expect(server.handle.metrics().refused).toEqual({});
  }

  /** Tab 1 wakes up and reconnects on its own, with its token: refused; `tab2` keeps its session. */
  async function expectResumeRefused(url: string, token: unknown, tab2: RawClient): Promise<void> {
    const back = await RawClient.open(url);
    expect(await back.request({ type: 'login', userID: 'hana', userSig: sig, resume: token })).toMatchObject({ type: 'error', code: 'sessionSuperseded' });
    await tab2.sync();
    expect(tab2.ofType('kicked')).toEqual([]);
    expect(tab2.open).toBe(true);
    back.terminate();
    tab2.terminate();
  }

  it("Hana's tab 2 kicks tab 1 (one userSig); Mallory kicks herself 4,200 times -> tab 1 resuming with its token is refused, tab 2 keeps its session", async () => {
    const url = server.handle.url;
    const tab1 = await RawClient.open(url);
    const first = await tab1.request({ type: 'login', userID: 'hana', userSig: sig });
    const tab2 = await RawClient.open(url);
    expect(await tab2.request({ type: 'login', userID: 'hana', userSig: sig })).toMatchObject({ type: 'loggedIn', resumed: false });
    await tab1.closed; // (tab 1's laptop sleeps: it never read the kick)

    await malloryKicksHerself(url);

    await expectResumeRefused(url, first.session, tab2);
  }, 60_000);

  it("Hana's tab 2 kicks tab 1 (one userSig), then signs out and in again; Mallory kicks herself 4,200 times -> tab 1 resuming with its token is still refused, tab 2 keeps its session", async () => {
    const url = server.handle.url;
    const tab1 = await RawClient.open(url);
    const first = await tab1.request({ type: 'login', userID: 'hana', userSig: sig });
    const tab2 = await RawClient.open(url);
    expect(await tab2.request({ type: 'login', userID: 'hana', userSig: sig })).toMatchObject({ type: 'loggedIn', resumed: false });
    await tab1.closed; // (tab 1's laptop sleeps: it never read the kick)
    // Tab 2 signs out and back in (or its laptop sleeps past the resume grace): for a moment Hana has no session.
    expect(await tab2.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    expect(await tab2.request({ type: 'login', userID: 'hana', userSig: sig })).toMatchObject({ type: 'loggedIn', resumed: false });

    await malloryKicksHerself(url);

    // A kicked session never resumes (the cluster keeps her newest 256 a week through her logouts, `P:s`), and
    // Hana's newer session is one to protect from it too.
    await expectResumeRefused(url, first.session, tab2);
  }, 60_000);

  it("Hana's tab 2 kicks tab 1 (one userSig), then she reloads tab 2 20 times; Mallory kicks herself 4,200 times -> tab 1 resuming with its token is still refused", async () => {
    const url = server.handle.url;
    const tab1 = await RawClient.open(url);
    const first = await tab1.request({ type: 'login', userID: 'hana', userSig: sig });
    let tab2 = await RawClient.open(url);
    expect(await tab2.request({ type: 'login', userID: 'hana', userSig: sig })).toMatchObject({ type: 'loggedIn', resumed: false });
    await tab1.closed; // (tab 1's laptop sleeps: it never read the kick)
    // A reload is a login of its own (no resume): each kicks the page before it.
    for (let reload = 0; reload < 20; reload++) {
      const page = await RawClient.open(url);
      expect(await page.request({ type: 'login', userID: 'hana', userSig: sig })).toMatchObject({ type: 'loggedIn', resumed: false });
      await tab2.closed;
      tab2 = page;
    }

    await malloryKicksHerself(url);

    await expectResumeRefused(url, first.session, tab2);
  }, 60_000);
});
