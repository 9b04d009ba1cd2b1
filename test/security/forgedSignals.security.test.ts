/**
 * Forged signals (the review of 2026-12-04): Mallory, a member of the IM group "team", sees the
 * group call's shared inviteID like every member, and forges signals C2C about the others' part
 * in that call. The IM authenticates her as the sender; the payload is her word. Before the fixes a
 * timeout naming others ended Bob's call, rang him out, told Alice NO_RESP for a Bob still ringing;
 * a hangup naming Bob stopped his ringing in silence, one naming Alice ended her dialling call; a
 * userID such as `constructor` was taken for an invitee (a core fault, ERROR -1300).
 */
import { describe, expect, it } from 'vitest';
import { decodeSignal } from '../../adapters/signalingCodec';
import type { InMemoryImPort } from '../../adapters/memory/InMemoryImHub';
import { memoryUsers } from '../support/world';

const S = 1000;

const env = (o: Record<string, unknown>) =>
  JSON.stringify({ businessID: 1, inviteeList: [], timeout: 0, groupID: '', ...o });
const inner = (o: Record<string, unknown> = {}) =>
  JSON.stringify({ businessID: 'av_call', version: 4, call_type: 1, ...o, data: { cmd: 'audioCall', message: '', ...((o.data as object) ?? {}) } });

describe('signals forged by a member of the IM group a call goes through', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  async function setup() {
    const mallory = t.world.net.im.connect() as InMemoryImPort;
    await mallory.login('mallory', 'sig-mallory');
    const seen: string[] = [];
    mallory.onMessage((m) => seen.push(m.payload));
    await t.world.createGroup('team', ['alice', 'bob', 'carol', 'mallory']);
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team' });
    await t.world.advance(S);
    const invite = seen.map((p) => decodeSignal(p, 'alice')).find((d) => d.ok && d.signal.kind === 'invite');
    if (!invite?.ok) throw new Error('mallory saw no invite');
    const inviteID = invite.signal.inviteID;
    const send = (to: string, payload: string) => mallory.sendToUser(to, payload, { onlineUserOnly: false });
    return { inviteID, send };
  }
  const names = (p: { take(): Array<{ name: string }> }) => p.take().map((e) => e.name);

  it('a TIMEOUT naming Bob (and Mallory) from Mallory: Bob\'s connected call goes on', async () => {
    const { inviteID, send } = await setup();
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    await send('bob', env({ inviteID, inviter: 'alice', actionType: 5, inviteeList: ['mallory', 'bob'], data: inner({ room_id: 1 }) }));
    await t.world.advance(S);
    expect(names(t.bob)).toEqual([]); // Bob should stay in his call with Alice
    expect(t.bob.calling.getCallStatus?.()).not.toBe('idle');
  });

  it('a TIMEOUT naming Bob from Mallory while Alice rings him: Bob rings on', async () => {
    const { inviteID, send } = await setup();
    t.bob.take();
    await send('bob', env({ inviteID, inviter: 'alice', actionType: 5, inviteeList: ['mallory', 'bob'], data: inner({ room_id: 1 }) }));
    await t.world.advance(S);
    expect(names(t.bob)).toEqual([]);
  });

  it('a TIMEOUT naming Bob from Mallory, sent to Alice: no NO_RESP for Bob, who still rings', async () => {
    const { inviteID, send } = await setup();
    t.alice.take();
    await send('alice', env({ inviteID, inviter: 'alice', actionType: 5, inviteeList: ['mallory', 'bob'], data: inner({ room_id: 1 }) }));
    await t.world.advance(S);
    expect(names(t.alice)).toEqual([]);
  });

  it('a TIMEOUT naming "constructor" and "toString": no ERROR at Alice\'s', async () => {
    const { inviteID, send } = await setup();
    t.alice.take();
    await send('alice', env({ inviteID, inviter: 'alice', actionType: 5, inviteeList: ['mallory', 'constructor', 'toString'], data: inner({ room_id: 1 }) }));
    await t.world.advance(S);
    const errors = t.alice.take().filter((e) => e.name === 'onError');
    expect(errors).toEqual([]);
  });

  it('a hangup naming Bob from Mallory: Bob rings on, and accept() answers', async () => {
    const { inviteID, send } = await setup();
    t.bob.take();
    await send('bob', env({ inviteID: `${inviteID}-hangup`, inviter: 'mallory', actionType: 1, inviteeList: ['bob'], data: inner({ call_end: 0, data: { cmd: 'hangup' } }) }));
    await t.world.advance(S);
    expect(names(t.bob)).toEqual([]);
    await expect(t.bob.calling.accept()).resolves.toMatchObject({ code: 0, inviteID }); // it answered (with nothing ringing it resolves with nothing)
  });

  it('a hangup naming Alice from Mallory: her dialling group call goes on, Bob and Carol ring on', async () => {
    const { inviteID, send } = await setup();
    t.alice.take();
    t.bob.take();
    await send('alice', env({ inviteID: `${inviteID}-hangup`, inviter: 'mallory', actionType: 1, inviteeList: ['alice'], data: inner({ call_end: 0, data: { cmd: 'hangup' } }) }));
    await t.world.advance(S);
    expect(names(t.alice)).toEqual([]);
    expect(names(t.bob)).toEqual([]);
  });

  it('Mallory rings Bob with her own invite, then her TIMEOUT names herself and "constructor": nothing for Bob (no core fault), still ringing', async () => {
    const mallory = t.world.net.im.connect() as InMemoryImPort;
    await mallory.login('mallory', 'sig-mallory');
    const send = (to: string, payload: string) => mallory.sendToUser(to, payload, { onlineUserOnly: false });
    await send('bob', env({ inviteID: 'm1', inviter: 'mallory', actionType: 1, inviteeList: ['bob'], timeout: 30, data: inner({ room_id: 5 }) }));
    await t.world.advance(S);
    expect(names(t.bob)).toEqual(['onInvited']);
    await send('bob', env({ inviteID: 'm1', inviter: 'mallory', actionType: 5, inviteeList: ['mallory', 'constructor'], data: inner({ room_id: 5 }) }));
    await t.world.advance(S);
    expect(names(t.bob)).toEqual([]);
    expect(t.bob.calling.getSnapshot().call?.state).toBe('ringing');
  });
});
