/**
 * Forged hangups from someone with a part in the call of a kind that must not end it (the review
 * of my own fixes, 2026-12-04): a co-invitee still ringing, or an uninvited member of the IM group
 * who entered the room (joinInGroupCall). The first version of the rule counted any invitee and
 * anyone in the room: Carol's forged hangup ended Alice's dialling call (everyone cancelled) or
 * stopped Bob's ringing; Mallory's, after joining, ended Alice's call. Now a caller counts the
 * hangup of an invitee that answered, and a ringing callee only its inviter's.
 */
import { describe, expect, it } from 'vitest';
import { decodeSignal } from '../../adapters/signalingCodec';
import type { InMemoryImPort } from '../../adapters/memory/InMemoryImHub';
import type { Backend } from '../../src/index';
import { TRTCCalling } from '../../src/index';
import { memoryUsers, party, type Party } from '../support/world';

const S = 1000;
const env = (o: Record<string, unknown>) => JSON.stringify({ businessID: 1, inviteeList: [], timeout: 0, groupID: '', ...o });
const inner = (o: Record<string, unknown> = {}) =>
  JSON.stringify({ businessID: 'av_call', version: 4, call_type: 1, ...o, data: { cmd: 'audioCall', message: '', ...((o.data as object) ?? {}) } });
const names = (p: { take(): Array<{ name: string }> }) => p.take().map((e) => e.name);
const hangup = (inviteID: string, from: string, naming: string) =>
  env({ inviteID: `${inviteID}-hangup`, inviter: from, actionType: 1, inviteeList: [naming], data: inner({ call_end: 0, data: { cmd: 'hangup' } }) });

describe('forged hangups from someone the fix counts as having a part', () => {
  const t = memoryUsers('alice', 'bob');

  async function client(id: string): Promise<{ p: Party; backend: Backend }> {
    const backend = t.world.net.backend();
    const p = party(id, new TRTCCalling({ SDKAppID: 1400000001, backend }));
    await p.calling.login({ userID: id, userSig: `sig-${id}` });
    await t.world.advance(S);
    p.take();
    return { p, backend };
  }

  async function groupCall() {
    const carol = await client('carol');
    const mallory = await client('mallory');
    const seen: string[] = [];
    (mallory.backend.im as InMemoryImPort).onMessage((m) => seen.push(m.payload));
    await t.world.createGroup('team', ['alice', 'bob', 'carol', 'mallory']);
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team' });
    await t.world.advance(S);
    const invite = seen.map((p) => decodeSignal(p, 'alice')).find((d) => d.ok && d.signal.kind === 'invite');
    if (!invite?.ok) throw new Error('no invite seen');
    t.alice.take();
    t.bob.take();
    carol.p.take();
    return { inviteID: invite.signal.inviteID, carol, mallory };
  }

  it('co-invitee Carol, still ringing (never answered), forges a hangup naming Alice: Alice\'s dialling call goes on, Bob rings on', async () => {
    const { inviteID, carol } = await groupCall();
    await carol.backend.im.sendToUser('alice', hangup(inviteID, 'carol', 'alice'), { onlineUserOnly: false });
    await t.world.advance(S);
    expect(names(t.alice)).toEqual([]);
    expect(names(t.bob)).toEqual([]);
  });

  it('co-invitee Carol forges a hangup naming Bob while both ring: Bob rings on (no CALLING_CANCEL)', async () => {
    const { inviteID, carol } = await groupCall();
    await carol.backend.im.sendToUser('bob', hangup(inviteID, 'carol', 'bob'), { onlineUserOnly: false });
    await t.world.advance(S);
    expect(names(t.bob)).toEqual([]);
  });

  it('Mallory, an uninvited member of the group, joins the room (joinInGroupCall), then forges a hangup naming Alice: Alice\'s dialling call goes on, Bob rings on', async () => {
    const { inviteID, mallory } = await groupCall();
    const roomID = t.alice.calling.getSnapshot().call?.roomID as number;
    await mallory.p.calling.joinInGroupCall({ groupID: 'team', roomID, callType: 1 });
    await t.world.advance(S);
    expect(names(t.alice)).toContain('onUserEnter'); // Mallory is in the room: 'present', so she 'has a part'
    t.bob.take();
    await mallory.backend.im.sendToUser('alice', hangup(inviteID, 'mallory', 'alice'), { onlineUserOnly: false });
    await t.world.advance(S);
    expect(names(t.alice)).toEqual([]);
    expect(names(t.bob)).toEqual([]);
  });
});
