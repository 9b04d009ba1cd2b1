/**
 * A lost media connection in the browser: Bob stays in the room on the server (his page, its
 * WebSocket and his membership are untouched) but his RTCPeerConnection to Alice is closed from
 * inside his page. Alice's room reports the connection lost; only after `leaveGraceMs` (5 s by
 * default) without it coming back does her call count him gone, and the 1v1 call ends for her
 * with reason `error` (he was lost, he did not hang up).
 */
import { describe, expect, it } from 'vitest';
import { e, shape } from './support/demoPage';
import { e2eSuite } from './support/suite';

interface PcWindow {
  __pcs: RTCPeerConnection[];
  /** Every connection state change: `performance.now()` and the state. */
  __pcStates: Array<{ at: number; state: RTCPeerConnectionState }>;
}

/** Runs in the page before its scripts: every RTCPeerConnection made is kept on `globalThis.__pcs`, its state changes on `__pcStates`. */
function recordPeerConnections(): void {
  const w = globalThis as unknown as PcWindow & { RTCPeerConnection: typeof RTCPeerConnection };
  const Native = w.RTCPeerConnection;
  w.__pcs = [];
  w.__pcStates = [];
  class Recorded extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__pcs.push(this);
      this.addEventListener('connectionstatechange', () => w.__pcStates.push({ at: performance.now(), state: this.connectionState }));
    }
  }
  w.RTCPeerConnection = Recorded;
}

describe('demo page, a lost media connection in Chromium', () => {
  const world = e2eSuite();

  it("Alice and Bob in a call, Bob's peer connection closed in his page (he stays in the room) -> Alice USER_LEAVE bob only after the grace period, then CALL_END error", async () => {
    const alice = await world.open('alice', { init: recordPeerConnections });
    const bob = await world.open('bob', { init: recordPeerConnections });
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });
    await alice.waitFrames('bob');
    await alice.waitEvent('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: true });
    expect(await alice.page.evaluate(() => (globalThis as unknown as PcWindow).__pcs.map((pc) => pc.connectionState))).toEqual(['connected']);

    // Cut: Bob's only connection closes; his page, his signaling socket and his membership stay.
    const closed = await bob.page.evaluate(() => {
      const { __pcs } = globalThis as unknown as PcWindow;
      for (const pc of __pcs) pc.close();
      return __pcs.length;
    });
    expect(closed).toBe(1);
    const cutAt = await alice.page.evaluate(() => performance.now()); // Alice's page clock

    // Not at once: Alice's port waits out the grace period first.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await alice.events()).map((x) => x.name)).not.toContain('onUserLeave');

    await alice.waitEvent('onUserLeave', { userID: 'bob' }, 20_000);
    await alice.waitEvent('onCallEnd');

    // Alice's connection to Bob went down (and never came back), and USER_LEAVE came a grace
    // period (5 s) after that, not at the cut: her call's leave-grace timer decided, not the server.
    const { states, leftAt } = await alice.page.evaluate(() => ({
      states: (globalThis as unknown as PcWindow).__pcStates,
      leftAt: (globalThis as unknown as { hcDemo: { events: Array<{ name: string; t: number }> } }).hcDemo.events.find((x) => x.name === 'onUserLeave')?.t ?? NaN,
    }));
    const timeline = JSON.stringify({ cutAt, leftAt, states });
    const down = states.find((s) => s.state === 'disconnected' || s.state === 'failed');
    expect(down, timeline).toBeDefined();
    expect(down!.at, timeline).toBeGreaterThan(cutAt);
    expect(states.some((s) => s.state === 'connected' && s.at > down!.at), timeline).toBe(false);
    expect(leftAt - down!.at, timeline).toBeGreaterThanOrEqual(4900);
    expect(leftAt - down!.at, timeline).toBeLessThan(7000);
    expect(leftAt - cutAt, timeline).toBeLessThan(20_000);

    expect(shape(await alice.events())).toEqual([
      e('sdkReady'),
      e('onUserAccept', { userID: 'bob' }),
      e('onUserEnter', { userID: 'bob' }),
      e('onUserAudioAvailable', { userID: 'bob', isAudioAvailable: true }),
      e('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: true }),
      e('onUserLeave', { userID: 'bob' }),
      e('onCallEnd', { userID: 'alice', reason: 'error' }),
    ]);
    expect(await alice.remoteTiles()).toEqual([]);
    expect(await alice.callVideos()).toBe(0);
    // The page says what happened: the connection was lost (not that bob hung up).
    await alice.page.waitForSelector('#outcome-text:has-text("Lost the connection to bob")');

    // Bob was still in the room all along, so the server told him: Alice, the last one left,
    // sends the leaver the "last one out" hangup before she exits the room, so Bob's call ends
    // on that (no USER_LEAVE first, unlike when Alice clicks hang up herself).
    await bob.waitEvent('onCallEnd');
    expect(shape(await bob.events())).toEqual([
      e('sdkReady'),
      e('onInvited', { sponsor: 'alice' }),
      e('onUserEnter', { userID: 'alice' }),
      e('onUserAudioAvailable', { userID: 'alice', isAudioAvailable: true }),
      e('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: true }),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
    expect(await bob.callVideos()).toBe(0);
  });
});
