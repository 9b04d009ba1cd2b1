/**
 * Attack: hold the server's connection slots with one userSig. A logged-in connection's slot is never
 * taken for a newcomer (slots.security.test.ts), and a user has one connection (five with many
 * devices): a new login kicks the earlier one. But a kicked connection, like one closed after its
 * logout or for any other reason, is closed with a close frame, and `ws` then waits for the client's
 * answer for 30 s (real time) before it drops the socket. A client that never answers kept each such
 * socket, and its slot, for those 30 s: logging in again 50 times a second (its user's frame budget),
 * one user held 1,500 slots that nobody could take, and a few accounts filled a server of 5,000
 * (`--max-connections`): every honest user was refused at the door (HTTP 503). Now the server waits
 * {@link CLOSE_ANSWER_MS} of its clock for the answer, then drops the socket.
 *
 * Mallory speaks WebSocket by hand on raw TCP (`deafLogin`): she logs in, and from then on reads
 * nothing and answers nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_ANSWER_MS } from '../../server/conn';
import { RawClient, type TestServer, testServer } from '../server/support';
import { type DeafClient, deafLogin, until } from './support';

const MAX_CONNECTIONS = 8;

describe('a connection the server closes holds no slot once its client stops answering', () => {
  let server: TestServer;
  const deaf: DeafClient[] = [];
  afterEach(async () => {
    for (const d of deaf.splice(0)) d.end();
    await server.dispose();
  });

  it('Mallory logs in again and again on sockets that never answer the kick: Alice still gets in', async () => {
    server = await testServer({ limits: { maxConnections: MAX_CONNECTIONS } });
    const { port } = server.handle;
    // Each login kicks the one before (close 4001), which never answers: before, each kept its slot for 30 s.
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      deaf.push(await deafLogin(port, 'mallory', `127.0.0.${2 + i}`));
      await until(`login ${i + 1}`, () => server.handle.metrics().loggedInUsers === 1 && server.handle.metrics().connections === i + 1);
    }
    expect(server.handle.metrics().connections).toBe(MAX_CONNECTIONS);
    // The server is full of one user's sockets, none of which may be taken: Alice is refused at the door.
    await expect(RawClient.login(server.handle.url, 'alice')).rejects.toThrow('503');
    await server.clock.advance(CLOSE_ANSWER_MS);
    // Seven kicked sockets dropped; the last login's stays (logged in).
    await until('the kicked sockets to be dropped', () => deaf.filter((d) => d.closed).length === MAX_CONNECTIONS - 1, 2000);
    expect(deaf.map((d) => d.closed)).toEqual([...Array<boolean>(MAX_CONNECTIONS - 1).fill(true), false]);
    expect(server.handle.metrics().limits).toMatchObject({ closeUnanswered: MAX_CONNECTIONS - 1 }); // what an operator sees
    const alice = await RawClient.login(server.handle.url, 'alice');
    expect(await alice.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(server.handle.metrics().connections).toBe(2);
  });

  it('the same for a socket closed after its logout (4003 at the next sweep): dropped once its answer is late', async () => {
    server = await testServer({ limits: { maxConnections: MAX_CONNECTIONS } });
    const d = await deafLogin(server.handle.port, 'mallory', '127.0.0.2');
    deaf.push(d);
    await until('the login', () => server.handle.metrics().loggedInUsers === 1);
    // Logged out on purpose, the socket is closed at the login deadline's sweep: still no answer.
    d.send({ type: 'logout', rid: 2 });
    await until('the logout', () => server.handle.metrics().loggedInUsers === 0);
    await server.clock.advance(10_000); // the login deadline's sweep (every 2.5 s) closes it
    expect(d.closed).toBe(false); // closed by the server, waiting for the answer
    await server.clock.advance(CLOSE_ANSWER_MS);
    await until('the logged-out socket to be dropped', () => d.closed, 2000);
    expect(server.handle.metrics().connections).toBe(0);
  });
});
