/**
 * Attack: "make a victim's client drop a real message as a duplicate". Message ids come from the
 * sender's session lineage, `rid` and resend key (server/mail.ts), and a recipient's client drops
 * any id it saw before (adapters/ws/inbox.ts), whoever sent it. Mallory may name any lineage in
 * `resume` (a token the server does not hold gives its lineage to the new session), Alice's too,
 * and send Alice's request byte for byte: the id still differs, since it digests the user too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from '../server/support';

describe('message ids cannot be forged across users', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });
  const login = async (userID: string, resume?: string) => {
    const client = await RawClient.open(server.handle.url);
    clients.push(client);
    const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID), ...(resume ? { resume } : {}) });
    expect(reply).toMatchObject({ type: 'loggedIn' });
    return { client, session: String(reply.session) };
  };

  it("Mallory takes Alice's lineage and sends Alice's request (same rid, same bytes) to Bob -> Bob gets two messages under two ids", async () => {
    server = await testServer();
    const bob = await login('bob');
    const alice = await login('alice');
    const mallory = await login('mallory', `${alice.session.slice(0, 16)}.not-a-token-the-server-holds`);
    expect(mallory.session.slice(0, 17)).toBe(alice.session.slice(0, 17)); // the lineage is Alice's
    const request = { type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 900 };
    alice.client.send(request);
    const fromAlice = await bob.client.next((f) => f.type === 'message' && f.from === 'alice', "Alice's message");
    mallory.client.send(request);
    const fromMallory = await bob.client.next((f) => f.type === 'message' && f.from === 'mallory', "Mallory's message");
    expect(fromMallory.id).not.toBe(fromAlice.id);
  });
});
