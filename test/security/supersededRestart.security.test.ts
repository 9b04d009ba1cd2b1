/**
 * Attack: "a kicked tab comes back after a deploy" (review of d76e725, 2026-12-05). A user's kicked
 * tokens are kept a week from her last kick, through her logouts (as the cluster keeps them in Redis,
 * `P:s`), so that her kicked tab, waking and resuming with its token, never kicks the tab she uses.
 * The embedded server keeps them in its process only: a restart (a deploy, a crash) forgets them while
 * the messages, grants and answers it keeps in SQLite come back, and the sleeping tab resuming after it
 * became a new session and kicked the newer one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from '../server/support';

describe("a user's kicked tokens across a restart", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer();
  });
  afterEach(() => server.dispose());

  it("Hana's tab 2 kicks tab 1 (one userSig); the server restarts; tab 2 is back -> tab 1 resuming with its token is refused, tab 2 keeps its session", async () => {
    const sig = tencentUserSig('hana');
    const tab1 = await RawClient.open(server.handle.url);
    const first = await tab1.request({ type: 'login', userID: 'hana', userSig: sig });
    const tab2 = await RawClient.open(server.handle.url);
    const second = await tab2.request({ type: 'login', userID: 'hana', userSig: sig });
    expect(second).toMatchObject({ type: 'loggedIn', resumed: false });
    await tab1.closed; // (tab 1's laptop sleeps: it never read the kick)
    await server.handle.close();
    await server.restart();
    const url = server.handle.url;

    // Tab 2 comes back first, as its client does on its own (resume with its token).
    const again = await RawClient.open(url);
    expect(await again.request({ type: 'login', userID: 'hana', userSig: sig, resume: second.session })).toMatchObject({ type: 'loggedIn' });
    // Tab 1 wakes up and reconnects on its own, with its token: a kicked session never resumes.
    const back = await RawClient.open(url);
    expect(await back.request({ type: 'login', userID: 'hana', userSig: sig, resume: first.session })).toMatchObject({ type: 'error', code: 'sessionSuperseded' });
    await again.sync();
    expect(again.ofType('kicked')).toEqual([]);
    expect(again.open).toBe(true);
    back.terminate();
    again.terminate();
  });
});
