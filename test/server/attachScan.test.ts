/**
 * Review (held copies moved from memory): one node, one device per user. A login wrote nothing held before the change
 * (only many devices flushed what was held for the user), and need not: a copy is held there only while it is in its
 * recipient's window, written as that window goes. Since 24ccd44 every login scanned every held message (`flushTo` on one
 * node walks them all): 50,000 held, about 15 ms a login on this machine, a cost any client can ask for by logging in.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WriteBehind } from '../../server/writeBehind';
import { RawClient, testServer, tencentUserSig, type TestServer } from './support';

describe('review: a login on one node scans no held message', () => {
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of clients.splice(0)) c.terminate();
    for (const s of servers.splice(0)) await s.dispose();
  });
  const login = async (server: TestServer, userID: string) => {
    const c = await RawClient.open(server.handle.url);
    clients.push(c);
    expect(await c.request({ type: 'login', userID, userSig: tencentUserSig(userID) })).toMatchObject({ type: 'loggedIn' });
    return c;
  };

  it('Alice -> Vic (online, no receipt yet): held; Bob logs in -> no held message is looked at for him', async () => {
    const server = await testServer({ writeBehindMs: 200 });
    servers.push(server);
    const alice = await login(server, 'alice');
    const vic = await login(server, 'vic');
    alice.send({ type: 'sendC2C', to: 'vic', payload: 'hi', onlineUserOnly: false, rid: 40 });
    await vic.next((f) => f.type === 'message');
    expect(server.handle.metrics()).toMatchObject({ heldNow: 1 });
    const scans = vi.spyOn(WriteBehind.prototype, 'flushTo');
    await login(server, 'bob');
    expect(scans).not.toHaveBeenCalled();
  });
});
