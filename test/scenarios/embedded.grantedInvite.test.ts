/**
 * The room an invitation rings for is the one the server granted, not the one its payload says.
 * The payload is its sender's word: Mallory's invitation to Bob may name the room of another
 * call Bob was admitted to (Carol's group call, which he declined), with a grant for a room of her
 * own beside it, or none. Accepted, it would put Bob in Carol's call. The server tells each copy
 * of an invitation the room it granted for it (`call` of the message frame, kept with a stored
 * copy), and the client drops an invitation whose payload names another invitation or room.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../adapters/memory/SimulatedClock';
import { encodeSignal } from '../../adapters/signalingCodec';
import type { EmbeddedBackend } from '../../adapters/ws/embeddedBackend';
import { WsConnection } from '../../adapters/ws/WsConnection';
import { WsImPort } from '../../adapters/ws/WsImPort';
import { SyncSocket } from '../adapters/ws/syncSocket';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';

const S = 1000;

const invite = (roomID: number, inviteID = 'm-1') =>
  encodeSignal({ kind: 'invite', inviteID, inviter: 'mallory', groupID: '', callType: 2, invitees: ['bob'], roomID, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false });

describe('an invitation rings for the room the server granted it', () => {
  let world: EmbeddedWorld;
  let bob: Party;
  let mallory: EmbeddedBackend;
  let carolsRoom: number;

  beforeEach(async () => {
    world = makeEmbeddedWorld();
    const carol = await world.user('carol');
    bob = await world.user('bob');
    const dave = await world.user('dave');
    await carol.calling.groupCall({ userIDList: ['bob', 'dave'], type: 2 });
    await world.advance(S);
    carolsRoom = (bob.take().find((e) => e.name === 'onInvited')?.payload as { roomID?: number } | undefined)?.roomID ?? 1001;
    await bob.calling.reject();
    await dave.calling.accept();
    await world.advance(S);
    bob.take();
    mallory = world.backend();
    await mallory.connection.login('mallory', world.userSig('mallory'));
  });
  afterEach(() => world.dispose());

  const send = (payload: string, call?: { inviteID: string; roomID: number }) =>
    mallory.connection.request({ type: 'sendC2C', to: 'bob', payload, onlineUserOnly: false, ...(call ? { call: { ...call, invitees: ['bob'], timeout: 30 } } : {}) });
  const rang = () => bob.take().filter((e) => e.name === 'onInvited');

  it('a payload naming another call\'s room beside a grant of its own: dropped, Bob never rings nor enters Carol\'s call', async () => {
    expect(await send(invite(carolsRoom), { inviteID: 'm-1', roomID: 777 })).toMatchObject({ type: 'ack' });
    await world.advance(S);
    expect(rang()).toEqual([]);
    expect(bob.calling.getSnapshot().call).toBeNull(); // nothing rings (accept() would resolve and do nothing)
    expect((await world.server()).metrics()).toMatchObject({ storedNow: 0 }); // confirmed, not left to come again
  });

  it('an invitation with no grant at all, or another invitation\'s ID: dropped', async () => {
    await send(invite(carolsRoom));
    await send(invite(778, 'm-2'), { inviteID: 'm-3', roomID: 778 });
    await world.advance(S);
    expect(rang()).toEqual([]);
  });

  it('the payload and the grant agree: it rings, also from the store after Bob was offline and the server restarted', async () => {
    expect(await send(invite(779), { inviteID: 'm-1', roomID: 779 })).toMatchObject({ type: 'ack' });
    await world.advance(S);
    expect(rang()).toHaveLength(1);
    await bob.calling.reject();
    await bob.calling.logout();
    await world.advance(S);
    await send(invite(780, 'm-4'), { inviteID: 'm-4', roomID: 780 });
    await world.restartServer();
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.advance(S);
    expect(rang()).toHaveLength(1);
  });
});

describe('a server that does not say it tells the granted room (an older version)', () => {
  it('its invitations ring as before; one that says so has an invitation without its grant dropped', async () => {
    const heard = async (loggedIn: Record<string, unknown>) => {
      const conn = new WsConnection({ url: 'ws://x/ws', WebSocket: SyncSocket, clock: new SimulatedClock(0) });
      const im = new WsImPort(conn);
      const payloads: string[] = [];
      im.onMessage((m) => payloads.push(m.payload));
      const login = conn.login('bob', 'sig');
      await Promise.resolve();
      const rid = (JSON.parse(SyncSocket.last.sent[0] as string) as { rid: number }).rid;
      SyncSocket.last.deliver({ type: 'loggedIn', rid, userID: 'bob', session: 's1', resumed: false, room: null, serverTime: 0, ...loggedIn });
      await login;
      SyncSocket.last.deliver({ type: 'message', id: 'x', seq: 1, from: 'mallory', payload: invite(1001), sentAt: 0 });
      return payloads.length;
    };
    expect(await heard({})).toBe(1);
    expect(await heard({ callGrants: true })).toBe(0);
  });
});
