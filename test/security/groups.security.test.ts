/**
 * Attack: "groups have no owner and no consent" (anyone joins any group, reads its members and
 * hears its calls; anyone enrols anyone; no quota). Now a group has an owner and a join rule,
 * its members agreed, only members read it or send to it, only the owner manages it, and quotas
 * bound groups per owner and members per group.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedBackend } from '../../src/embedded';
import { TRTCCalling, encodeSignal } from '../../src/index';
import { ev } from '../support/ev';
import { SDKAPPID, type EmbeddedWorld } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { testServer, type TestServer } from '../server/support';
import { RawClient, defaultLimitsWorld, honestCall } from './support';

const S = 1000;

describe('groups have members who agreed', () => {
  let world: EmbeddedWorld;
  let alice: Party & { backend: EmbeddedBackend };
  let bob: Party & { backend: EmbeddedBackend };
  let mallory: RawClient;

  /** A TRTCCalling user whose IM port the test also drives (to manage groups). */
  async function user(userID: string): Promise<Party & { backend: EmbeddedBackend }> {
    const backend = world.backend();
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    await p.calling.login({ userID, userSig: world.userSig(userID) });
    await world.settle();
    p.take();
    return { ...p, backend };
  }

  beforeEach(async () => {
    world = defaultLimitsWorld();
    alice = await user('alice');
    bob = await user('bob');
    mallory = await RawClient.login((await world.server()).url, 'mallory');
  });
  afterEach(async () => {
    mallory.terminate();
    for (const p of [alice, bob]) p.calling.destroy();
    await world.dispose();
  });

  it("Mallory cannot join Alice's invite-only group, read it, send to it or hear its calls; Bob, invited, joins and is called", async () => {
    await alice.backend.im.createGroup('friends', ['bob']);
    const tries = [
      await mallory.request({ type: 'groupJoin', groupID: 'friends' }),
      await mallory.request({ type: 'groupMembers', groupID: 'friends' }),
      await mallory.request({ type: 'sendGroup', groupID: 'friends', payload: 'hi', onlineUserOnly: false }),
    ].map((f) => f.code ?? f.type);
    expect(tries).toEqual(['notInvited', 'notGroupMember', 'notGroupMember']);
    expect(await bob.backend.im.joinGroup('friends')).toEqual(['alice', 'bob']);
    await alice.calling.groupCall({ userIDList: ['bob'], type: 2, groupID: 'friends', timeout: 30 });
    await world.advance(S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { isFromGroup: true })]);
    await mallory.sync();
    expect(mallory.ofType('message')).toEqual([]);
    await alice.calling.hangup();
    await world.advance(S);
    expect(bob.take()).toEqual([ev.cancelled('alice')]);
    // Removed, Bob hears the group no more and may not read it.
    await alice.backend.im.removeFromGroup('friends', ['bob']);
    await expect(bob.backend.im.groupMembers('friends')).rejects.toMatchObject({ serverCode: 'notGroupMember' });
    await expect(bob.backend.im.sendToGroup('friends', 'x', { onlineUserOnly: false })).rejects.toMatchObject({ serverCode: 'notGroupMember' });
    await honestCall(world, alice, bob);
  });

  it('Mallory cannot enrol Bob: her group only invites him, and her group call to it rings nobody', async () => {
    expect(await mallory.request({ type: 'groupCreate', groupID: 'spam', members: ['bob', 'alice'] })).toMatchObject({
      type: 'groupInfo',
      members: ['mallory'],
      owner: 'mallory',
      invited: ['bob', 'alice'],
    });
    const invite = encodeSignal({
      kind: 'invite', inviteID: 'spam-1', inviter: 'mallory', groupID: 'spam', callType: 2, invitees: ['bob', 'alice'], roomID: 666,
      timeout: 30, onlineUserOnly: false, isGroup: true, consumed: false,
    });
    expect(await mallory.request({ type: 'sendGroup', groupID: 'spam', payload: invite, onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await world.advance(5 * S);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    // Declining is quitting: the invitation is gone.
    await bob.backend.im.quitGroup('spam');
    expect(await mallory.request({ type: 'groupMembers', groupID: 'spam' })).toMatchObject({ members: ['mallory'], invited: ['alice'] });
    await honestCall(world, alice, bob);
  });

  it('only the owner invites, removes or deletes; an admin-made group is managed by nobody over the wire', async () => {
    await alice.backend.im.createGroup('open-lobby', [], { joinRule: 'open' });
    expect((await mallory.request({ type: 'groupJoin', groupID: 'open-lobby' })).members).toEqual(['alice', 'mallory']);
    await world.createGroup('staff', ['alice', 'bob', 'mallory']);
    const tries = [
      await mallory.request({ type: 'groupInvite', groupID: 'open-lobby', members: ['carol'] }),
      await mallory.request({ type: 'groupRemove', groupID: 'open-lobby', members: ['alice'] }),
      await mallory.request({ type: 'groupDelete', groupID: 'open-lobby' }),
      await mallory.request({ type: 'groupRemove', groupID: 'staff', members: ['alice'] }),
      await mallory.request({ type: 'groupDelete', groupID: 'staff' }),
    ].map((f) => f.code ?? f.type);
    expect(tries).toEqual(['notGroupOwner', 'notGroupOwner', 'notGroupOwner', 'notGroupOwner', 'notGroupOwner']);
    await expect(alice.backend.im.deleteGroup('staff')).rejects.toMatchObject({ serverCode: 'notGroupOwner' });
    expect(await alice.backend.im.groupMembers('open-lobby')).toEqual(['alice', 'mallory']);
    expect(await alice.backend.im.groupMembers('staff')).toEqual(['alice', 'bob', 'mallory']);
  });

  it('quotas: 20 groups per owner, 200 members and invitations per group', async () => {
    const made = [];
    for (let i = 0; i < 21; i++) made.push((await mallory.request({ type: 'groupCreate', groupID: `g${i}`, members: [] })).code ?? 'ok');
    expect(made).toEqual([...Array<string>(20).fill('ok'), 'quotaExceeded']);
    await mallory.request({ type: 'groupDelete', groupID: 'g0' });
    await mallory.request({ type: 'groupDelete', groupID: 'g1' });
    const crowd = Array.from({ length: 200 }, (_, i) => `u${i}`);
    expect((await mallory.request({ type: 'groupCreate', groupID: 'crowd', members: crowd })).code).toBe('quotaExceeded');
    expect((await mallory.request({ type: 'groupCreate', groupID: 'crowd', members: crowd.slice(0, 199) })).type).toBe('groupInfo');
    expect((await mallory.request({ type: 'groupInvite', groupID: 'crowd', members: ['one-more'] })).code).toBe('quotaExceeded');
    expect((await mallory.request({ type: 'groupCreate', groupID: 'g0', members: [], joinRule: 'open' })).type).toBe('groupInfo');
    const metrics = (await world.server()).metrics();
    expect(metrics.limits).toMatchObject({ maxGroupsPerUser: 1, maxGroupMembers: 2 });
    expect(metrics.refused.quotaExceeded).toBe(3);
  });
});

describe('a group deleted and made again under its ID', () => {
  let server: TestServer;
  afterEach(async () => server.dispose());

  it("is another group: its new owner cannot enter the call made through the old one (which goes on)", async () => {
    server = await testServer();
    const url = server.handle.url;
    const alice = await RawClient.login(url, 'alice');
    const bob = await RawClient.login(url, 'bob');
    const mallory = await RawClient.login(url, 'mallory');
    expect((await alice.request({ type: 'groupCreate', groupID: 'team', members: ['bob', 'mallory'] })).type).toBe('groupInfo');
    expect((await bob.request({ type: 'groupJoin', groupID: 'team' })).type).toBe('groupInfo');
    const call = { inviteID: 'inv-1', roomID: 500, invitees: ['bob'], timeout: 30 };
    expect((await alice.request({ type: 'sendGroup', groupID: 'team', payload: 'invite', onlineUserOnly: false, call })).type).toBe('ack');
    expect((await alice.request({ type: 'roomEnter', roomID: 500, audio: true, video: true })).type).toBe('roomInfo');
    expect((await bob.request({ type: 'roomEnter', roomID: 500, audio: true, video: true })).type).toBe('roomInfo');
    // Invited to the group, never a member: not admitted.
    expect(await mallory.request({ type: 'roomEnter', roomID: 500, audio: true, video: true, groupID: 'team' })).toMatchObject({ code: 'notInvited' });
    expect((await alice.request({ type: 'groupDelete', groupID: 'team' })).type).toBe('ack');
    expect((await mallory.request({ type: 'groupCreate', groupID: 'team', members: [] })).type).toBe('groupInfo');
    expect(await mallory.request({ type: 'roomEnter', roomID: 500, audio: false, video: false, groupID: 'team' })).toMatchObject({ code: 'notInvited' });
    await alice.request({ type: 'relay', roomID: 500, data: 'sdp-for-the-room' });
    await mallory.sync();
    expect(mallory.ofType('relayed')).toEqual([]);
    await bob.sync();
    expect(bob.ofType('relayed')).toHaveLength(1); // the call itself goes on
    for (const c of [alice, bob, mallory]) c.terminate();
  });
});
