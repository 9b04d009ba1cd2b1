/**
 * callMachine: the glare Alice wins. Her 1v1 dial (inv-5) crosses Bob's dial to her (inv-7, which
 * sorts after hers): she holds his invite unanswered until he answers hers. His ACCEPT (his side
 * merged into hers): she declines his. His busy REJECT (a peer that does not merge, as Tencent's
 * clients): she merges into his. Her dial ending first: she declines his. His own withdrawal: she
 * holds nothing more. (The glare she loses is in callMachine.caller.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { ImRequest } from '../../machines/events';
import { callerInput, cmd, im, out, rm, startCall } from '../support/machineHarness';

const send = (to: ImRequest & { type: 'im.send' }) => out.im(to);
const exit = out.room({ type: 'room.exit', roomID: 42 });
const cancelBob = send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'cancel', inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob'] }, onlineUserOnly: false });
const busyTo = (inviter: string, inviteID: string) =>
  send({ type: 'im.send', to: { users: [inviter] }, signal: { kind: 'reject', inviteID, inviter, groupID: '', callType: 2, invitee: 'alice', busy: true }, onlineUserOnly: false });
/** Bob's invite crossing our dial, sorting after ours (inv-5): a glare we win. */
const glareInvite = im.invited('bob', { inviteID: 'inv-7', inviter: 'bob', invitees: ['alice'], roomID: 77 });
const declineInv7 = send({
  type: 'im.send',
  to: { users: ['bob'] },
  signal: { kind: 'reject', inviteID: 'inv-7', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice', busy: false },
  onlineUserOnly: false,
});

/** Alice has dialled Bob; the dial's requests are already taken. */
function dialing(input = callerInput()) {
  const h = startCall(input);
  h.take();
  return h;
}

describe('callMachine caller: a glare Alice wins', () => {
  it('glare won: Bob invites Alice with higher inv-7 -> held unanswered (the line routes inv-7 here), still dialing, nothing sent', () => {
    const h = dialing();
    h.send(glareInvite);
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([{ parent: { type: 'call.merged', inviteID: 'inv-7' } }]);
    expect(h.context().glareHeld).toMatchObject({ inviteID: 'inv-7', inviter: 'bob' });
  });

  it("glare won, then Bob's ACCEPT of inv-5 (his side merged into ours) -> in the call; inv-7 declined (not busy), so our other devices stop ringing for it", () => {
    const h = dialing();
    h.send(glareInvite);
    h.take();
    h.send(im.accepted('bob'));
    expect(h.value()).toMatchObject({ inCall: 'alone' });
    expect(h.take()).toEqual([out.notice({ type: 'call.accepted', inviteID: 'inv-5', userID: 'bob' }), declineInv7]);
    expect(h.context().glareHeld).toBeNull();
  });

  it("glare won, then Bob's busy REJECT of inv-5 (Tencent's clients answer busy in glare) -> we merge into inv-7: accepting as its callee, no LINE_BUSY, no CANCEL", () => {
    const h = dialing();
    h.send(glareInvite);
    h.take();
    h.send(im.rejected('bob', true));
    expect(h.value()).toBe('accepting');
    expect(h.take()).toEqual([
      exit,
      { parent: { type: 'call.merged', inviteID: 'inv-7', roomID: 77 } },
      out.notice({ type: 'call.accepted', inviteID: 'inv-7', userID: 'bob' }),
      out.room({ type: 'room.enter', roomID: 77, userID: 'alice', video: true, audioMuted: false, participants: ['bob', 'alice'] }),
    ]);
    expect(h.context()).toMatchObject({ role: 'callee', inviteID: 'inv-7', inviter: 'bob', roomID: 77, glareHeld: null });
    h.send(rm.entered(0, 77));
    expect(h.take()).toEqual([
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'accept', inviteID: 'inv-7', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice' }, onlineUserOnly: false }),
    ]);
  });

  it('glare won, then hangup() -> CANCEL of inv-5 and a decline of inv-7 (Bob must not wait for an answer to it)', () => {
    const h = dialing();
    h.send(glareInvite);
    h.take();
    h.send(cmd.hangup(3));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([declineInv7, out.settled(3), cancelBob, exit]);
  });

  it("glare won, then Bob's plain REJECT of inv-5 -> ending rejected, inv-7 declined", () => {
    const h = dialing();
    h.send(glareInvite);
    h.take();
    h.send(im.rejected('bob'));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.notice({ type: 'call.rejected', inviteID: 'inv-5', userID: 'bob' }), declineInv7, exit]);
  });

  it.each([
    ['CANCEL', im.cancelled('bob', ['alice'], { inviteID: 'inv-7', inviter: 'bob' })],
    ['no-answer notice', im.timedOut('bob', ['alice'], { inviteID: 'inv-7', inviter: 'bob' })],
  ])("glare won, then Bob's %s of inv-7 -> no longer held: his busy REJECT of inv-5 is a LINE_BUSY, nothing declined", (_, withdrawn) => {
    const h = dialing();
    h.send(glareInvite);
    h.take();
    h.send(withdrawn);
    expect(h.take()).toEqual([]);
    expect(h.context().glareHeld).toBeNull();
    h.send(im.rejected('bob', true));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.notice({ type: 'call.busy', inviteID: 'inv-5', sponsor: 'alice', userID: 'bob' }), exit]);
  });

  it("a busy REJECT of inv-5 from Carol (not the held invite's inviter) while inv-7 is held -> not a glare refusal", () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true }));
    h.send(glareInvite);
    // A group dial holds nothing: Bob's invite is answered busy.
    expect(h.context().glareHeld).toBeNull();
    expect(h.take()).toEqual([busyTo('bob', 'inv-7')]);
  });

  // Told apart by when it was sent (the IM's age): before the answer (give or take LATE_GLARE_MS, an IM
  // stamping whole seconds), the other half of the glare; later, a new call of Bob's (busy, as any).
  it.each([
    ['sent 1 s before the answer, landing 3 s after it: the late other half of the glare -> declined (not busy)', { at: 13_000, age: 4_000 }, false],
    ['sent 1.9 s after the answer (a send time read late) -> still declined', { at: 11_950, age: 50 }, false],
    ['sent 2 s after the answer -> a new call of his: busy', { at: 12_050, age: 50 }, true],
  ])('in the call since t = 10 s, an invite from Bob sorting after ours, %s', (_, when, busy) => {
    const h = dialing();
    h.send(im.accepted('bob', {}, 10_000));
    h.take();
    h.send(im.invited('bob', { inviteID: 'inv-7', inviter: 'bob', invitees: ['alice'], roomID: 77 }, when));
    expect(h.take()).toEqual([
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'reject', inviteID: 'inv-7', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice', busy }, onlineUserOnly: false }),
    ]);
  });
});
