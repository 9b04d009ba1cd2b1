/**
 * trtc-calling-js 1.0.6's quirks in calls after a group call, each found by the interop property tier and pinned
 * here against ours and Tencent's own clients: a dial right after a rejected group call, the next call after one it
 * hung up itself, its second group call, a group call made mid-call, a group invitation whose inviteID it drops.
 * Each is exempted by name in test/property/interopInvariants.ts. (The group calls themselves: group.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();

/** Starts `action` (its rejection is the quirk's business, not the test's) and lets `ms` of the world's time pass. */
const step = async (action: Promise<unknown>, ms: number) => {
  action.catch(() => undefined);
  await t.world.advance(ms);
};

// Found by the interop property tier (seed 20261206, past its 25 runs in npm test): a trtc-calling-js whose group
// call a REJECT ended dials again 20 ms later; its reset still runs, it never enters the new call's room, and the
// callee's accept leaves it 'calling' for good (with Tencent's callee: that callee alone in the room, connected;
// ours ends its call alone).
describe("trtc-calling-js's call() right after its group call was rejected", () => {
  it.each(['official', 'ours'] as const)('Carol (Tencent\'s) group-calls Alice (%s), who rejects; Carol calls her 20 ms later, Alice accepts -> Carol stays calling, never in the room', async (kind) => {
    const alice = await t.world.party(kind, 'alice');
    const carol = await t.world.party('official', 'carol');
    await t.world.act(carol.groupCall(['alice'], 1), S);
    await t.world.act(alice.reject(), 20);
    await t.world.act(carol.call('alice', 1), S);
    await t.world.act(alice.accept(), S);
    await t.world.advance(60 * S);
    expect(carol.take().map((e) => e.name)).toEqual(['onReject', 'onCallEnd', 'onUserAccept']);
    expect(carol.getCallStatus()).toBe('calling');
    expect(t.world.rtc.rooms().flatMap((r) => r.members)).toEqual(kind === 'ours' ? [] : ['alice']);
  });
});

// Found by the interop property tier (seed 455587189): a trtc-calling-js that hung up a call itself is not ended, in
// its next call, when that call's other side leaves (it seems to keep the last call's remote stream: it left that
// room itself, and TRTC tells no stream-removed for a room one leaves). Whatever the gap, and whether the hangup
// notice of the last call comes before or while it rings for the next.
describe("trtc-calling-js's next call after a call it hung up itself", () => {
  for (const kind of ['official', 'ours'] as const)
    it.each([20, 5000])(`Bob (${kind}) calls Carol (Tencent's), she accepts and hangs up; Alice (${kind}) calls her %i ms later; she accepts, Alice hangs up -> Carol stays connected, alone`, async (gap) => {
      const alice = await t.world.party(kind, 'alice');
      const bob = await t.world.party(kind, 'bob');
      const carol = await t.world.party('official', 'carol');
      // Not awaited: some of trtc-calling-js's promises here never settle.
      await step(bob.call('carol', 1), 5 * S);
      await step(carol.accept(), S);
      await step(carol.hangup(), gap);
      await step(alice.call('carol', 1), S);
      await step(carol.accept(), S);
      await step(alice.hangup(), S);
      await t.world.advance(120 * S);
      const said = carol.take().map((e) => e.name);
      expect([said.at(-1), said.filter((n) => n === 'onCallEnd').length]).toEqual(['onUserLeave', 1]); // Bob's hangup notice only
      expect([carol.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['carol']]]);
    });
});

// Found by the interop property tier (seed 2042405571, its run 748): the same when the next call is a group call
// through an IM group, whose member trtc-calling-js reports the roster (GROUP_CALL_INVITEE_LIST_UPDATE) after the leave.
describe("trtc-calling-js's next call after a call it hung up itself, a group call through an IM group", () => {
  it.each(['official', 'ours'] as const)("Bob (Tencent's) calls Carol (ours), she accepts, he hangs up; Alice (%s) groupCall()s him through the group; he accepts, Alice hangs up -> Bob stays connected, alone", async (kind) => {
    t.world.im.createGroup('everyone', ['alice', 'bob', 'carol']);
    const alice = await t.world.party(kind, 'alice');
    const bob = await t.world.party('official', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await step(bob.call('carol', 1), 300);
    await step(carol.accept(), S);
    await step(bob.hangup(), 300);
    await step(alice.groupCall(['bob'], 1, 'everyone'), S);
    await step(bob.accept(), S);
    await step(alice.hangup(), 120 * S);
    const said = bob.take().map((e) => e.name);
    expect([said.slice(-2), said.filter((n) => n === 'onCallEnd').length]).toEqual([['onUserLeave', 'onGroupCallInviteeListUpdate'], 1]);
    expect([bob.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['bob']]]);
  });
});

// Found by the interop property tier (seed 2042405571, its run 748 shrunk another way): the same when the next call
// is its own group call (C2C), no invitation between the two calls.
describe("trtc-calling-js's next call after a call it hung up itself, a group call of its own", () => {
  it.each(['official', 'ours'] as const)("Carol (ours) calls Bob (Tencent's), he accepts and hangs up; he groupCall()s Alice (%s); she accepts and hangs up -> Bob stays connected, alone", async (kind) => {
    const alice = await t.world.party(kind, 'alice');
    const bob = await t.world.party('official', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await step(carol.call('bob', 1), 300);
    await step(bob.accept(), S);
    await step(bob.hangup(), 300);
    await step(bob.groupCall(['alice'], 1), S);
    await step(alice.accept(), S);
    await step(alice.hangup(), 120 * S);
    const said = bob.take().map((e) => e.name);
    expect([said.at(-1), said.filter((n) => n === 'onCallEnd').length]).toEqual(['onUserLeave', 1]);
    expect([bob.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['bob']]]);
  });
});

// Found by the interop property tier (seed 2042405571, its run 748 shrunk a third way): the same once another user's
// group invitation, which it answers busy from its stuck call, times out: its last word is that CALLING_TIMEOUT.
describe("trtc-calling-js's next call after a call it hung up itself, its invitee declining, then a group invitation it answers busy", () => {
  it.each(['official', 'ours'] as const)("Bob (Tencent's) calls Carol (ours), she accepts, he hangs up; he groupCall()s Alice (%s), she rejects; she group-calls Carol and Bob through an IM group, he answers busy, Carol lets it ring out -> Bob's last word is CALLING_TIMEOUT, and he stays connected, alone", async (kind) => {
    t.world.im.createGroup('team', ['alice', 'bob', 'carol']);
    const alice = await t.world.party(kind, 'alice');
    const bob = await t.world.party('official', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await step(bob.call('carol', 1), 300);
    await step(carol.accept(), S);
    await step(bob.hangup(), 300);
    await step(bob.groupCall(['alice'], 1), S);
    await step(alice.reject(), 0);
    await step(alice.groupCall(['carol', 'bob'], 1, 'team'), 120 * S);
    const said = bob.take().map((e) => e.name);
    expect(said.slice(-3)).toEqual(['onReject', 'onLineBusy', 'onCallingTimeout']);
    expect([bob.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['bob']]]);
  });
});

describe("trtc-calling-js's second group call, its invitees all timing out", () => {
  it.each(['official', 'ours'] as const)('Alice (Tencent\'s) groupCall()s Bob (%s), he accepts, she hangs up; she groupCall()s him again, he lets it ring out -> CALLING_TIMEOUT, but she stays connected, alone in her room (her first call: idle, the room left)', async (kind) => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    await t.world.act(alice.groupCall(['bob'], 1));
    await t.world.act(bob.accept());
    await t.world.act(alice.hangup(), 3 * S);
    alice.take();
    await t.world.act(alice.groupCall(['bob'], 1));
    await t.world.advance(60 * S);
    expect(alice.take().map((e) => e.name)).toEqual(['onCallingTimeout']);
    expect([alice.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['alice']]]);
  });

  // Found by the interop property tier (seed 1718111439): after a group call of its own that it hung up, its next
  // group call (one it is invited into, or its own) is not ended when the other leaves.
  for (const second of ['invited', 'its own'] as const)
    it.each(['official', 'ours'] as const)(`Carol (Tencent's) group-calls Dave and hangs up; then a group call with Bob (%s), ${second}; Bob hangs up -> she stays connected, alone in the room`, async (kind) => {
      const bob = await t.world.party(kind, 'bob');
      const carol = await t.world.party('official', 'carol');
      const dave = await t.world.party('ours', 'dave');
      await t.world.act(carol.groupCall(['dave'], 1), S);
      await t.world.act(dave.accept(), 300);
      await t.world.act(carol.hangup(), S);
      carol.take();
      if (second === 'invited') {
        await t.world.act(bob.groupCall(['carol'], 1), 200);
        await t.world.act(carol.accept(), 300);
      } else {
        await t.world.act(carol.groupCall(['bob'], 1), 200);
        await t.world.act(bob.accept(), 300);
      }
      await t.world.act(bob.hangup(), 300);
      await t.world.advance(120 * S);
      expect(carol.take().map((e) => e.name).at(-1)).toBe('onUserLeave');
      expect([carol.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['carol']]]);
    });

  // Found by the interop property tier (seed 1718111439): the same from a call it is still in.
  it.each(['official', 'ours'] as const)('Dave (Tencent\'s), in Alice\'s group call that Bob left and whose Alice a second login (%s) kicked out, groupCall()s Alice; the new session lets it ring out -> CALLING_TIMEOUT, and Dave stays connected', async (kind) => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party('ours', 'bob');
    const dave = await t.world.party('official', 'dave');
    await t.world.act(alice.groupCall(['bob'], 1), S);
    await t.world.act(bob.accept());
    await t.world.act(alice.groupCall(['dave'], 1), 20);
    await t.world.act(dave.accept());
    const again = await t.world.party(kind, 'alice', { login: false });
    await t.world.act(again.login(), 300);
    await t.world.act(bob.hangup(), 300);
    dave.take();
    await t.world.act(dave.groupCall(['alice'], 1), 100);
    await t.world.advance(120 * S);
    expect(again.take().map((e) => e.name)).toEqual(kind === 'ours' ? ['sdkReady', 'onInvited', 'onCallingTimeout'] : ['sdkReady', 'onInvited', 'onCallingTimeout', 'onCallEnd']);
    expect(dave.take().map((e) => e.name)).toEqual(['onCallingTimeout']);
    expect(dave.getCallStatus()).toBe('connected');
  });
});

// Found by the interop property tier (seed 7001): trtc-calling-js, in a 1v1 call, group-calls a third mid-call
// (spec 2.7: C2C, into its room); its callee hangs up. Left alone, it ends its call without cancelling the third's
// invitation: a Tencent's invitee that accepts is alone in the room for good; ours ends. Whoever the callee is.
describe("trtc-calling-js's groupCall() mid-call, then its callee hangs up", () => {
  for (const callee of ['official', 'ours', 'tui'] as const)
    it.each(['tui', 'official', 'ours'] as const)(`Alice (Tencent's) calls Bob (${callee}), he accepts; she groupCall()s Carol (%s); Bob hangs up; Carol accepts -> Alice idle, no cancel for Carol; Carol (Tencent's) alone in the room, ours ended`, async (kind) => {
      const alice = await t.world.party('official', 'alice');
      const bob = callee === 'tui' ? await t.world.tui('bob') : await t.world.party(callee, 'bob');
      const carol = kind === 'tui' ? await t.world.tui('carol') : await t.world.party(kind, 'carol');
      await step(alice.call('bob', 1), S);
      await step('engine' in bob ? bob.engine.accept() : bob.accept(), S);
      await step(alice.groupCall(['carol'], 1), 300);
      await step('engine' in bob ? bob.engine.hangup() : bob.hangup(), S);
      const said = alice.take().map((e) => e.name);
      expect([said.slice(-2), alice.getCallStatus()]).toEqual([['onGroupCallInviteeListUpdate', 'onCallEnd'], 'idle']);
      await step('engine' in carol ? carol.engine.accept() : carol.accept(), S);
      await t.world.advance(120 * S);
      // Carol's invitation was never withdrawn: what went to her is the invite alone.
      expect(t.world.wire.take().filter((m) => m.to === 'carol').map((m) => m.envelope.actionType)).toEqual([1]);
      const carolEnded = carol.take().some((e) => e.name === 'onCallEnd');
      expect([carolEnded, t.world.rtc.rooms().map((r) => r.members)]).toEqual(kind === 'ours' ? [true, []] : [false, [['carol']]]);
    });
});

// Found by the interop property tier (seed 2042405571, path 727:2:2:10:14:21:22:20:30:33:33:34:36:36:19): the same
// when a new call's invitation reaches trtc-calling-js, idle again, before the stale accept does. It rings for the
// new call and hears the accept (USER_ACCEPT, about its own user) in it; the invitee is alone in the room for good.
describe("trtc-calling-js's groupCall() mid-call, then its callee hangs up, and a new call rings it before the accept comes", () => {
  it.each(['ours', 'official'] as const)("Alice (Tencent's) calls Bob (ours), he accepts; she groupCall()s Carol (Tencent's); Bob hangs up; Dave (%s) calls Alice as Carol accepts -> Alice rings, then hears the accept; Carol alone in the room", async (kind) => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('official', 'carol');
    const dave = await t.world.party(kind, 'dave');
    await step(alice.call('bob', 1), S);
    await step(bob.accept(), S);
    await step(alice.groupCall(['carol'], 1), 300);
    await step(bob.hangup(), S);
    alice.take();
    await step(dave.call('alice', 1), 0);
    await step(carol.accept(), 120 * S);
    const said = alice.take().map((e) => e.name);
    expect(said.slice(0, 2)).toEqual(['onInvited', 'onUserAccept']);
    expect([carol.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['carol']]]);
  });
});

// The same failing run, shrunk another way: trtc-calling-js logs out, idle, before the stale accept comes.
describe("trtc-calling-js's groupCall() mid-call, then its callee hangs up, and it logs out before the accept comes", () => {
  it("Alice (Tencent's) calls Bob (ours), he accepts; she groupCall()s Carol (Tencent's); Bob hangs up; Alice logs out as Carol accepts -> Carol alone in the room", async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('official', 'carol');
    await step(alice.call('bob', 1), S);
    await step(bob.accept(), S);
    await step(alice.groupCall(['carol'], 1), 300);
    await step(bob.hangup(), S);
    expect(alice.getCallStatus()).toBe('idle');
    await step(carol.accept(), 0);
    await step(alice.logout(), 120 * S);
    expect([carol.getCallStatus(), t.world.rtc.rooms().map((r) => r.members)]).toEqual(['connected', [['carol']]]);
  });
});

// Found by the interop property tier (seed 7010): the same when trtc-calling-js was the callee of the 1v1 call, its
// group call went through an IM group naming its caller too, and the caller (answering busy) hung up.
describe("trtc-calling-js's groupCall() through an IM group mid-call, then its caller hangs up", () => {
  for (const caller of ['ours', 'official'] as const)
    it.each(['tui', 'official'] as const)(`Carol (${caller}) calls Dave (Tencent's), he accepts; he groupCall()s Alice (%s) and Carol through the group; Carol hangs up; Alice accepts -> Dave idle, Alice alone in the room`, async (kind) => {
      t.world.im.createGroup('everyone', ['alice', 'carol', 'dave']);
      const alice = kind === 'tui' ? await t.world.tui('alice') : await t.world.party(kind, 'alice');
      const carol = await t.world.party(caller, 'carol');
      const dave = await t.world.party('official', 'dave');
      await step(carol.call('dave', 1), 300);
      await step(dave.accept(), 300);
      await step(dave.groupCall(['alice', 'carol'], 1, 'everyone'), 20);
      await step(carol.hangup(), 300);
      const said = dave.take().map((e) => e.name);
      expect([said.at(-1), dave.getCallStatus()]).toEqual(['onCallEnd', 'idle']);
      await step('engine' in alice ? alice.engine.accept() : alice.accept(), S);
      await t.world.advance(60 * S);
      expect(dave.take().map((e) => e.name)).toEqual(['onUserAccept']);
      expect(t.world.rtc.rooms().map((r) => r.members)).toEqual([['alice']]);
    });
});

// Found by the interop property tier (seed 7050): trtc-calling-js keeps one inviteID for a group invitation sent
// through an IM group and drops it at the first answer (onInviteeRejected, as onInviteeAccepted: delInviterInviteID),
// so its hangup() then cancels nothing: an invitee still ringing rings on, accepts into the room the caller left,
// and is alone there for good (Tencent's; ours ends its call). Whoever declines: ours on logout() (a
// ringing call is declined), or a reject() of any kind, each the same REJECT to the group. Tencent's logout() says
// nothing, so the caller's hangup() still cancels the invitation for both.
describe("trtc-calling-js's group call through an IM group: an invitee declines, then it hangs up", () => {
  const declines = [['ours', 'logout'], ['ours', 'reject'], ['official', 'reject'], ['tui', 'reject']] as const;
  for (const [who, how] of declines)
    it.each(['tui', 'official', 'ours'] as const)(`Bob (Tencent's) groupCall()s Alice (${who}) and Carol (%s) through the group; Alice ${how}()s; Bob hangs up; Carol accepts -> no cancel for Carol; Carol (Tencent's) alone in the room, ours ended`, async (kind) => {
      t.world.im.createGroup('everyone', ['alice', 'bob', 'carol']);
      const alice = who === 'tui' ? await t.world.tui('alice') : await t.world.party(who, 'alice');
      const bob = await t.world.party('official', 'bob');
      const carol = kind === 'tui' ? await t.world.tui('carol') : await t.world.party(kind, 'carol');
      await step(bob.groupCall(['alice', 'carol'], 1, 'everyone'), 70);
      const a = 'engine' in alice ? alice.engine : alice;
      await step(how === 'logout' ? a.logout() : a.reject(), 0);
      await step(bob.hangup(), S);
      expect([bob.take().map((e) => e.name), bob.getCallStatus()]).toEqual([['onReject'], 'idle']);
      await step('engine' in carol ? carol.engine.accept() : carol.accept(), S);
      await t.world.advance(120 * S);
      expect(t.world.wire.take().map((m) => [m.from, m.to, m.envelope.actionType, m.envelope.inviteeList])).toEqual([
        ['bob', 'everyone', 1, ['alice', 'carol']],
        ['alice', 'everyone', 4, ['alice']],
        ['carol', 'everyone', 3, ['carol']],
      ]);
      const carolEnded = carol.take().some((e) => e.name === 'onCallEnd');
      expect([carolEnded, t.world.rtc.rooms().map((r) => r.members)]).toEqual(kind === 'ours' ? [true, []] : [false, [['carol']]]);
    });

  it.each(['official', 'tui'] as const)('the same with Alice (%s) logging out while it rings: her logout() says nothing, Bob\'s hangup() cancels the invitation for both, Carol (TUI) stops ringing', async (who) => {
    t.world.im.createGroup('everyone', ['alice', 'bob', 'carol']);
    const alice = who === 'tui' ? await t.world.tui('alice') : await t.world.party(who, 'alice');
    const bob = await t.world.party('official', 'bob');
    const carol = await t.world.tui('carol');
    await t.world.act(bob.groupCall(['alice', 'carol'], 1, 'everyone'), 70);
    await t.world.act('engine' in alice ? alice.engine.logout() : alice.logout(), 0);
    await t.world.act(bob.hangup(), S);
    await t.world.advance(120 * S);
    expect(t.world.wire.take().map((m) => [m.from, m.to, m.envelope.actionType, m.envelope.inviteeList])).toEqual([
      ['bob', 'everyone', 1, ['alice', 'carol']],
      ['bob', 'everyone', 2, ['alice', 'carol']],
    ]);
    expect([carol.take().map((e) => e.name), carol.engine.getCallStatus(), t.world.rtc.rooms()]).toEqual([['onInvited', 'onCallReceived', 'onCallingCancel', 'onCallCanceled'], 'idle', []]);
  });
});
