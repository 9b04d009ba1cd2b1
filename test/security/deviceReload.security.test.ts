/**
 * Many devices: a reload (a login of the same device, no resume) takes over that device's session
 * only (README "Many devices per user"). The hub ends the old session as a kick (`multipleAccount`),
 * which revokes the userSig it logged in with: once the reloaded session logs out, the phone's own
 * userSig is refused (`sessionSuperseded`) for as long as the laptop, logged in with another userSig,
 * lives. Nobody was kicked out by another login: the phone just reloaded, then logged out and in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from '../server/support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

async function login(userSig: string, device: string): Promise<{ client: RawClient; reply: Record<string, unknown> }> {
  const client = await RawClient.open((server as TestServer).handle.url);
  const reply = await client.request({ type: 'login', userID: 'bob', userSig, device });
  return { client, reply };
}

describe('many devices: a reload of the phone, then logout and login again on it', () => {
  it('the phone logs in again with the userSig it has held all along: loggedIn (not sessionSuperseded)', async () => {
    server = await testServer({ multiDevice: true });
    const phoneSig = tencentUserSig('bob', 86_400);
    const laptopSig = tencentUserSig('bob', 86_399);
    const phone = await login(phoneSig, 'phone');
    expect(phone.reply.type).toBe('loggedIn');
    const laptop = await login(laptopSig, 'laptop');
    expect(laptop.reply.type).toBe('loggedIn');
    // The phone's page reloads: a new connection, the same device, the same userSig.
    const reloaded = await login(phoneSig, 'phone');
    expect(reloaded.reply.type).toBe('loggedIn');
    expect((await phone.client.closed).code).toBe(4001);
    // Later the user logs out on the phone, and in again.
    expect(await reloaded.client.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    const again = await login(phoneSig, 'phone');
    expect([again.reply.type, again.reply.code]).toEqual(['loggedIn', undefined]);
    expect(laptop.client.open).toBe(true);
  });
});
