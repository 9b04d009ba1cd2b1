/**
 * A C2C invitation whose payload names an IM group (the review of 2026-12-04): the payload is its
 * sender's word, and the client sends its answers to that group. Before the fix Mallory, in no group
 * of Bob's, made Bob ring for a "group call" of his group "board", send his busy answers and his
 * ring timeout into it, to every member, as Bob. A signal of a group's call now counts only when it
 * came through that group.
 */
import { describe, expect, it } from 'vitest';
import type { InMemoryImPort } from '../../adapters/memory/InMemoryImHub';
import { memoryUsers } from '../support/world';

const S = 1000;

const invite = (inviteID: string) =>
  JSON.stringify({
    businessID: 1,
    inviteID,
    inviter: 'mallory',
    actionType: 1,
    inviteeList: ['bob'],
    data: JSON.stringify({ businessID: 'av_call', version: 4, call_type: 1, room_id: 777, data: { cmd: 'audioCall', room_id: 777, message: '' } }),
    timeout: 30,
    groupID: 'board', // a group Mallory is not in
  });

describe('a C2C invitation naming an IM group: dropped', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  async function mallory() {
    const m = t.world.net.im.connect() as InMemoryImPort;
    await m.login('mallory', 'sig-mallory');
    await t.world.createGroup('board', ['alice', 'bob', 'carol', 'dave', 'erin']);
    return (payload: string) => m.sendToUser('bob', payload, { onlineUserOnly: false });
  }
  const bobToBoard = () => t.world.net.im.log.filter((m) => m.from === 'bob' && m.groupID === 'board');

  it('Bob busy in a call: 20 of them -> no busy answer into the group "board"', async () => {
    const send = await mallory();
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    for (let i = 0; i < 20; i++) await send(invite(`m-${i}`));
    await t.world.advance(S);
    expect(bobToBoard()).toEqual([]);
  });

  it('Bob idle: nothing rings, no ring-timeout notice into "board" 40 s later', async () => {
    const send = await mallory();
    await send(invite('m-x'));
    await t.world.advance(40 * S);
    expect(bobToBoard().map((m) => m.to)).toEqual([]);
  });

  it('Bob idle: no INVITED (it would ring as a call of "board", isFromGroup)', async () => {
    const send = await mallory();
    await send(invite('m-y'));
    await t.world.advance(S);
    expect(t.bob.take().filter((e) => e.name === 'onInvited')).toEqual([]);
  });

  // A group caller's TIMEOUT notice comes C2C to those in its call (callModel's withdrawalNotices): the bridge takes a
  // TIMEOUT naming a group C2C only from that call's inviter, and nothing answers a TIMEOUT. And only the inviter (or
  // the user's own other device) speaks for an invitation: a TIMEOUT naming Bob from anyone else who learnt its
  // inviteID (a member of its group) ended his ringing, whether it named the group or not.
  it.each([
    ['Alice\'s name in its envelope, naming "board", sent by Mallory', 'alice', 'board'],
    ['Mallory\'s own, naming "board"', 'mallory', 'board'],
    ['Mallory\'s own, naming no group', 'mallory', ''],
  ])('Bob rings for Alice\'s call through "board"; a C2C TIMEOUT naming him with its inviteID, %s: he rings on', async (_, inviter, groupID) => {
    const send = await mallory();
    await t.alice.calling.groupCall({ userIDList: ['bob'], type: 1, groupID: 'board' });
    await t.world.advance(S);
    const inviteID = (t.bob.take().find((e) => e.name === 'onInvited')?.payload as { inviteID: string }).inviteID;
    await send(JSON.stringify({ ...JSON.parse(invite(inviteID)), inviter, actionType: 5, timeout: 0, groupID }));
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([]);
    expect(t.bob.calling.getCallStatus()).toBe('calling');
    expect(bobToBoard()).toEqual([]);
  });
});
