/**
 * The embedded backend as an app uses it: real time, the `ws` package's WebSocket, no test
 * harness between the clients and the server. Waits end on events, not on time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WsPortError, embeddedBackend } from '../../src/embedded';
import { CallingError, TRTCCalling } from '../../src/index';
import { type ServerHandle, silentLogger, startServer } from '../../server/index';
import { ev } from '../support/ev';
import { SDKAPPID, SECRET_KEY, tencentUserSig } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { until } from '../support/until';

/** Resolves once `p` has received `count` events (real I/O; fails after 5 s). */
async function events(p: Party, count: number): Promise<Array<{ name: string; payload: unknown }>> {
  await until(`${count} events of ${p.id}`, () => p.events.log.length >= count, 5000);
  return p.take();
}

describe('embedded backend in real time', () => {
  let server: ServerHandle;
  let dir: string;
  const parties: Party[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-rt-'));
    server = await startServer({ port: 0, dbPath: join(dir, 'calling.db'), sdkAppId: SDKAPPID, secretKey: SECRET_KEY, logger: silentLogger });
  });
  afterEach(async () => {
    // Each client logged out before its server goes: closed first, a client went on reconnecting to it for the 5 s its
    // logout may wait (LOGOUT_WAIT_MS), into whatever test file its worker ran next.
    await Promise.all(parties.splice(0).map((p) => p.calling.destroy()));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function user(userID: string): Promise<Party> {
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: server.url, WebSocket }) }));
    parties.push(p);
    await p.calling.login({ userID, userSig: tencentUserSig(userID) });
    expect(await events(p, 1)).toEqual([ev.ready()]);
    return p;
  }

  it('Alice call(), Bob accept() on INVITED, Alice hangup() -> the same events as in simulated time', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.calling.accept({ inviteID }));
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    expect(await events(alice, 3)).toEqual([ev.accepted('bob'), ...ev.arrives('bob', false)]);
    expect(await events(bob, 3)).toEqual([ev.invited('alice', ['bob'], { callType: 1 }), ...ev.arrives('alice', false)]);
    await alice.calling.hangup();
    expect(await events(alice, 1)).toEqual([ev.end('alice', 'hangup')]);
    expect(await events(bob, 2)).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    expect(server.metrics()).toMatchObject({ connections: 2, loggedInUsers: 2, rooms: 0 });
  });

  it('a wrong userSig makes login() reject with the IM error code and the server\'s refusal as its cause; the instance can log in afterwards', async () => {
    const p = party('carol', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: server.url, WebSocket }) }));
    parties.push(p);
    const refused = await p.calling.login({ userID: 'carol', userSig: tencentUserSig('carol', 60, SDKAPPID, 'wrong key') }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CallingError);
    expect(refused).toMatchObject({ code: 70009, reason: 'backend' });
    // The embedded client's own error, as the README's table has it: the server's code readable without parsing the message.
    expect((refused as CallingError).cause).toBeInstanceOf(WsPortError);
    expect((refused as CallingError).cause).toMatchObject({ code: 70009, serverCode: 'userSigForged' });
    await p.calling.login({ userID: 'carol', userSig: tencentUserSig('carol') });
    expect(await events(p, 1)).toEqual([ev.ready()]);
  });

  it('refusals that share an IM code (70001: an expired userSig, as an empty one) are told apart by the cause\'s serverCode', async () => {
    const p = party('carol', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: server.url, WebSocket }) }));
    parties.push(p);
    const expired = await p.calling.login({ userID: 'carol', userSig: tencentUserSig('carol', 0) }).catch((error: unknown) => error);
    expect(expired).toMatchObject({ name: 'CallingError', code: 70001, reason: 'backend', cause: expect.any(WsPortError) });
    expect((expired as CallingError).cause).toMatchObject({ code: 70001, serverCode: 'userSigExpired' });
    const otherUser = await p.calling.login({ userID: 'carol', userSig: tencentUserSig('dave') }).catch((error: unknown) => error);
    expect((otherUser as CallingError).cause).toMatchObject({ code: 70013, serverCode: 'userSigWrongUser' });
    // The port's own check, before anything is sent: an empty userSig (only the port's login takes one; login() refuses it as a parameter).
    const backend = embeddedBackend({ url: server.url, WebSocket });
    await expect(backend.im.login('carol', '')).rejects.toMatchObject({ code: 70001, serverCode: 'userSigMissing' });
    await backend.dispose();
  });
});
