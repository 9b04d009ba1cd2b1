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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from '../server/support';

/** More kicks than the server-wide memory holds (4,096). */
const KICKS = 4200;
/** Mallory's accounts, each kicked in turn (70 logins each: within a user's burst of 200). */
const ACCOUNTS = 60;

/**
 * Hana's three situations side by side on one server, one user each (`hana`, `hana2`, `hana3`: what a user's
 * kicked tokens are is hers alone), then Mallory's one flood; each case then checks its own user. One flood,
 * not three (each about 5 s), and each user's kicks are other users' kicks to the other two.
 */
describe("a user's kicked tokens against everyone else's kicks", () => {
  let server: TestServer;
  /** Each case's kicked token (tab 1's) and the tab that must keep its session. */
  const cases = new Map<string, { token: unknown; tab2: RawClient }>();

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

  /** `user`'s tab 2 kicks tab 1 (one userSig): tab 1's token, and tab 2 (tab 1's laptop sleeps: it never read the kick). */
  async function tab2KicksTab1(url: string, user: string): Promise<{ token: unknown; tab2: RawClient }> {
    const sig = tencentUserSig(user);
    const tab1 = await RawClient.open(url);
    const first = await tab1.request({ type: 'login', userID: user, userSig: sig });
    const tab2 = await RawClient.open(url);
    expect(await tab2.request({ type: 'login', userID: user, userSig: sig })).toMatchObject({ type: 'loggedIn', resumed: false });
    await tab1.closed;
    return { token: first.session, tab2 };
  }

  /** Tab 1 wakes up and reconnects on its own, with its token: refused; `tab2` keeps its session. */
  async function expectResumeRefused(user: string): Promise<void> {
    const { token, tab2 } = cases.get(user) as { token: unknown; tab2: RawClient };
    const back = await RawClient.open(server.handle.url);
    expect(await back.request({ type: 'login', userID: user, userSig: tencentUserSig(user), resume: token })).toMatchObject({ type: 'error', code: 'sessionSuperseded' });
    await tab2.sync();
    expect(tab2.ofType('kicked')).toEqual([]);
    expect(tab2.open).toBe(true);
    back.terminate();
    tab2.terminate();
  }

  beforeAll(async () => {
    server = await testServer();
    const url = server.handle.url;

    // Case 1: Hana's tab 2 kicks tab 1.
    cases.set('hana', await tab2KicksTab1(url, 'hana'));

    // Case 2: the same, then tab 2 signs out and back in (or its laptop sleeps past the resume grace): for a moment
    // Hana has no session.
    const signedOut = await tab2KicksTab1(url, 'hana2');
    expect(await signedOut.tab2.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    expect(await signedOut.tab2.request({ type: 'login', userID: 'hana2', userSig: tencentUserSig('hana2') })).toMatchObject({ type: 'loggedIn', resumed: false });
    cases.set('hana2', signedOut);

    // Case 3: the same, then she reloads tab 2 20 times. A reload is a login of its own (no resume): each kicks the page before it.
    const reloaded = await tab2KicksTab1(url, 'hana3');
    for (let reload = 0; reload < 20; reload++) {
      const page = await RawClient.open(url);
      expect(await page.request({ type: 'login', userID: 'hana3', userSig: tencentUserSig('hana3') })).toMatchObject({ type: 'loggedIn', resumed: false });
      await reloaded.tab2.closed;
      reloaded.tab2 = page;
    }
    cases.set('hana3', reloaded);

    await malloryKicksHerself(url);
  }, 60_000);
  afterAll(() => server?.dispose());

  it("Hana's tab 2 kicks tab 1 (one userSig); Mallory kicks herself 4,200 times -> tab 1 resuming with its token is refused, tab 2 keeps its session", async () => {
    await expectResumeRefused('hana');
  });

  it("Hana's tab 2 kicks tab 1 (one userSig), then signs out and in again; Mallory kicks herself 4,200 times -> tab 1 resuming with its token is still refused, tab 2 keeps its session", async () => {
    // A kicked session never resumes (the cluster keeps her newest 256 a week through her logouts, `P:s`), and
    // Hana's newer session is one to protect from it too.
    await expectResumeRefused('hana2');
  });

  it("Hana's tab 2 kicks tab 1 (one userSig), then she reloads tab 2 20 times; Mallory kicks herself 4,200 times -> tab 1 resuming with its token is still refused", async () => {
    await expectResumeRefused('hana3');
  });
});
