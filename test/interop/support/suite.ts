/**
 * What every interop test file shares: a fresh {@link interopWorld} per test with the real
 * network trapped, the checks every test ends with, the two directions, and the events Tencent's
 * client emits (its payloads, which differ from ours: test/support/ev.ts has ours).
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { ev } from '../../support/ev';
import type { Ev, InteropWorld, Kind, Party, PartyOptions } from './interopWorld';
import { interopWorld } from './interopWorld';
import { trapRealNetwork, type NetworkTrap } from './noRealNetwork';
import { W, type WireEntry } from './wire';

/** The two directions of a two-party scenario: who is Tencent's client, who is ours. */
export const DIRECTIONS = [
  { name: 'ours calls Tencent\'s', caller: 'ours', callee: 'official' },
  { name: 'Tencent\'s calls ours', caller: 'official', callee: 'ours' },
] as const satisfies readonly { name: string; caller: Kind; callee: Kind }[];

/**
 * The only requests the official bundles make on their own, answered by their page's fakes:
 * trtc-calling-js's and TUICallEngine's telemetry (the same endpoint, with or without its slash),
 * and TUICallEngine's feature blacklist (a remote JSON; the fake answers `{}`: nothing blocked).
 */
const TELEMETRY = /^https:\/\/(webim\.tim\.qq\.com\/v4\/imopenstat\/tweb_trtccalling_report[/?]|jsonschema\.qpic\.cn\/87084b1b6d263426b92926cfa5fa23af\/18f29786d25587b5eb162d5e9f724b1e\/blackList\?)/;

/**
 * A fresh world before each test; after it, nothing unexpected happened: no error from our
 * backends, no unhandled rejection (a test that expects one takes it), no attempt to reach a
 * real network, and the official pages asked for nothing but their telemetry.
 */
export function useInterop(options: { readonly multiTerminal?: boolean } = {}): { readonly world: InteropWorld; readonly network: NetworkTrap } {
  let world: InteropWorld | undefined;
  let trap: NetworkTrap | undefined;
  beforeEach(() => {
    trap = trapRealNetwork();
    world = interopWorld(options);
  });
  afterEach(async () => {
    const w = world;
    const t = trap;
    world = undefined;
    trap = undefined;
    try {
      if (!w || !t) return;
      await w.dispose();
      expect(w.errors).toEqual([]);
      expect(w.unhandled).toEqual([]);
      expect(t.attempts).toEqual([]);
      // A `data:` URL names its content (call-engine-js 3.3.4 fetches its inlined WebAssembly so): no network.
      expect(w.intercepted().filter((r) => !TELEMETRY.test(r.url) && !r.url.startsWith('data:'))).toEqual([]);
    } finally {
      t?.restore();
    }
  });
  return {
    get world() {
      if (!world) throw new Error('useInterop: used outside a test');
      return world;
    },
    get network() {
      if (!trap) throw new Error('useInterop: used outside a test');
      return trap;
    },
  };
}

/** Asserts the whole ordered log of `party` since its last `take()`: the one for its kind. */
export function expectEvents(party: Party, expected: { readonly ours: readonly Ev[]; readonly official: readonly Ev[] }): void {
  expect(party.take(), `${party.id} (${party.kind})`).toEqual(party.kind === 'ours' ? expected.ours : expected.official);
}

const e = (name: string, payload: unknown): Ev => ({ name, payload });

/** The events of Tencent's client (trtc-calling-js 1.0.6), with its payloads (spec 3.2). */
export const oe = {
  ready: () => e('sdkReady', { name: 'ts_im_ready' }),
  invited: (sponsor: string, userIDList: string[], opts: { isFromGroup?: boolean; callType?: 1 | 2 } = {}) =>
    e('onInvited', {
      sponsor,
      userIDList,
      isFromGroup: opts.isFromGroup ?? false,
      inviteData: { version: 4, callType: opts.callType ?? 2, callEnd: 0, roomID: expect.any(Number) },
      inviteID: expect.any(String),
    }),
  /** Quirk: `userID` is the local user, not the invitee who accepted. */
  accepted: (self: string) => e('onUserAccept', { userID: self }),
  rejected: (userID: string) => e('onReject', { userID }),
  busy: (sponsor: string, userID: string) => e('onLineBusy', { sponsor, userID }),
  noResp: (sponsor: string, userIDList: string[]) => e('onNoResp', { sponsor, userIDList }),
  cancelled: () => e('onCallingCancel', {}),
  timedOut: (sponsor: string, userIDList: string[]) => e('onCallingTimeout', { sponsor, userIDList }),
  enter: (userID: string) => e('onUserEnter', { userID }),
  leave: (userID: string) => e('onUserLeave', { userID }),
  audio: (userID: string, isAudioAvailable: boolean) => e('onUserAudioAvailable', { userID, isAudioAvailable }),
  video: (userID: string, isVideoAvailable: boolean) => e('onUserVideoAvailable', { userID, isVideoAvailable }),
  roster: (userIDList: string[]) => e('onGroupCallInviteeListUpdate', { userIDList }),
  end: (userID: string, callEnd: number) => e('onCallEnd', { userID, callEnd }),
  kicked: () => e('onKickedOut', {}),
  /** A remote user arriving: TRTC's unmute events come before the stream is subscribed. */
  arrives: (userID: string, video = true): Ev[] => [
    e('onUserAudioAvailable', { userID, isAudioAvailable: true }),
    ...(video ? [e('onUserVideoAvailable', { userID, isVideoAvailable: true })] : []),
    e('onUserEnter', { userID }),
  ],
};

/** Alice's video invite to Bob, the first of the test (`id1`, `room1`). */
export const VIDEO_INVITE = { id: 'id1', room: 'room1', type: 2, invitees: ['bob'], userIDs: ['bob'] } as const;

/** The wire of {@link videoCall}: the invite and Bob's ACCEPT. */
export const videoCallWire = (): WireEntry[] => [W.invite('alice', 'bob', VIDEO_INVITE), W.accept('bob', { id: 'id1', inviter: 'alice', type: 2 })];

/**
 * Alice (`caller`) video-calls Bob (`callee`), Bob accepts: both logged in, in the call, their
 * events so far asserted (the wire is left to the test, see {@link videoCallWire}). `options`
 * are both parties' (those for ours only are ignored by Tencent's).
 */
export async function videoCall(world: InteropWorld, caller: Kind, callee: Kind, options: PartyOptions = {}): Promise<{ alice: Party; bob: Party }> {
  const alice = await world.party(caller, 'alice', options);
  const bob = await world.party(callee, 'bob', options);
  await world.act(alice.call('bob', 2));
  await world.act(bob.accept());
  expectEvents(alice, { ours: [ev.accepted('bob'), ...ev.arrives('bob')], official: [oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.enter('bob')] });
  expectEvents(bob, { ours: [ev.invited('alice', ['bob']), ...ev.arrives('alice')], official: [oe.invited('alice', ['bob']), ...oe.arrives('alice')] });
  return { alice, bob };
}
