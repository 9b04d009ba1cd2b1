/**
 * The WebSocket client's side of many devices: a login names the device only when the client opts
 * in, with the ID given (checked) or a random one kept across reconnects; sends that answer an
 * invitation carry `answer` (opted in only), so the server can keep the first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedBackend } from '../../../src/embedded';
import { encodeSignal } from '../../../src/index';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

describe('the WebSocket client, many devices', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld({ server: { multiDevice: true } });
  });
  afterEach(() => world.dispose());

  /** A backend whose frames are recorded. */
  function recorded(options: { multiDevice?: boolean; deviceID?: string }) {
    const sent: Array<Record<string, unknown>> = [];
    const Recording = class extends world.net.WebSocket {
      override send(data: string): void {
        sent.push(JSON.parse(data) as Record<string, unknown>);
        super.send(data);
      }
    };
    return { backend: world.backend({ WebSocket: Recording, ...options }), sent };
  }

  it('a bad deviceID is a TypeError at construction', () => {
    for (const deviceID of ['', 'has space', 'x'.repeat(65), 'é']) {
      expect(() => embeddedBackend({ url: 'ws://127.0.0.1:1/ws', WebSocket: world.net.WebSocket, multiDevice: true, deviceID })).toThrow(/deviceID must be/);
    }
  });

  it('opted in: the login names the device (given, or random and the same on every login); not opted in: no device, no answer field', async () => {
    const phone = recorded({ multiDevice: true, deviceID: 'phone-1' });
    await phone.backend.im.login('bob', world.userSig('bob'));
    const random = recorded({ multiDevice: true });
    await random.backend.im.login('bob', world.userSig('bob'));
    await random.backend.im.logout();
    await random.backend.im.login('bob', world.userSig('bob'));
    const plain = recorded({});
    await plain.backend.im.login('carol', world.userSig('carol'));
    const logins = (r: typeof phone) => r.sent.filter((f) => f.type === 'login').map((f) => f.device);
    expect(logins(phone)).toEqual(['phone-1']);
    const [first, second] = logins(random) as [string, string];
    expect(first).toMatch(/^[0-9a-f]{24}$/);
    expect(second).toBe(first);
    expect(logins(plain)).toEqual([undefined]);

    const accept = encodeSignal({ kind: 'accept', inviteID: 'inv-1', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob' });
    const busy = encodeSignal({ kind: 'reject', inviteID: 'inv-2', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob', busy: true });
    await phone.backend.im.sendToUser('alice', accept, { onlineUserOnly: false });
    await phone.backend.im.sendToUser('alice', busy, { onlineUserOnly: false });
    await plain.backend.im.sendToUser('alice', encodeSignal({ kind: 'accept', inviteID: 'inv-3', inviter: 'alice', groupID: '', callType: 2, invitee: 'carol' }), { onlineUserOnly: false });
    const answers = (r: typeof phone) => r.sent.filter((f) => f.type === 'sendC2C').map((f) => f.answer);
    expect(answers(phone)).toEqual([{ inviteID: 'inv-1', inviter: 'alice', kind: 'accept' }, { inviteID: 'inv-2', inviter: 'alice', kind: 'busy' }]);
    expect(answers(plain)).toEqual([undefined]);
  });
});
