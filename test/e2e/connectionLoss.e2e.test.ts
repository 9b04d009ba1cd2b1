/**
 * A page offline for a few seconds: CDP `Network.emulateNetworkConditions` offline. In this Chromium that
 * neither closes the page's open WebSocket (it only holds its frames) nor refuses new ones, so
 * the test completes the picture: the server drops the page's connection and, while offline, the
 * page's new WebSockets go to a closed port (refused, as with no network). WebRTC's UDP is not
 * cut. Once online the signaling reconnects and resumes within the server's grace, and the call
 * goes on.
 *
 * A lost media connection in the browser: Bob stays in the room on the server (his page, its
 * WebSocket and his membership are untouched) but his RTCPeerConnection to Alice is closed from
 * inside his page. Alice's room reports the connection lost; only after `leaveGraceMs` without it
 * coming back does her call count him gone, and the 1v1 call ends for her with reason `error` (he
 * was lost, he did not hang up). Alice's page waits {@link LEAVE_GRACE_MS} instead of the default 5 s
 * (the demo's `?config=`): the test waits the grace out, and a shorter one proves the same.
 */
import { describe, expect, it } from 'vitest';
import { e, shape, callerStart, calleeStart } from './support/demoPage';
import { e2eSuite } from './support/suite';

/** The pages' `leaveGraceMs` (the library's default is 5 s): how long a lost media connection may stay down. */
const LEAVE_GRACE_MS = 2000;
/** The demo's query for it. */
const SHORT_GRACE = `?config=${encodeURIComponent(JSON.stringify({ leaveGraceMs: LEAVE_GRACE_MS }))}`;

interface PcWindow {
  __pcs: RTCPeerConnection[];
  /** While true, new WebSockets are refused (see {@link refuseSocketsWhenOffline}). */
  __offline?: boolean;
  /** The WebSockets refused so far. */
  __refused?: number;
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

/** Runs in the page before its scripts: while `globalThis.__offline`, a new WebSocket connects to a closed port. */
function refuseSocketsWhenOffline(): void {
  const w = globalThis as unknown as PcWindow & { WebSocket: typeof WebSocket };
  const Native = w.WebSocket;
  w.__offline = false;
  w.__refused = 0;
  class Offline extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(w.__offline ? 'ws://127.0.0.1:9/' : url, protocols);
      if (w.__offline) w.__refused! += 1;
    }
  }
  w.WebSocket = Offline;
}

describe('demo page, a lost media connection in Chromium', () => {
  const world = e2eSuite();

  it("Alice and Bob in a call, Bob's peer connection closed in his page (he stays in the room) -> Alice USER_LEAVE bob only after the grace period, then CALL_END error", async () => {
    const alice = await world.open('alice', { init: recordPeerConnections, query: SHORT_GRACE });
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
    await new Promise((resolve) => setTimeout(resolve, LEAVE_GRACE_MS));
    expect((await alice.events()).map((x) => x.name)).not.toContain('onUserLeave');

    await alice.waitEvent('onUserLeave', { userID: 'bob' }, 20_000);
    await alice.waitEvent('onCallEnd');

    // Alice's connection to Bob went down (and never came back), and USER_LEAVE came a grace
    // period after that, not at the cut: her call's leave-grace timer decided, not the server.
    const { states, leftAt } = await alice.page.evaluate(() => ({
      states: (globalThis as unknown as PcWindow).__pcStates,
      leftAt: (globalThis as unknown as { hcDemo: { events: Array<{ name: string; t: number }> } }).hcDemo.events.find((x) => x.name === 'onUserLeave')?.t ?? NaN,
    }));
    const timeline = JSON.stringify({ cutAt, leftAt, states });
    const down = states.find((s) => s.state === 'disconnected' || s.state === 'failed');
    expect(down, timeline).toBeDefined();
    expect(down!.at, timeline).toBeGreaterThan(cutAt);
    expect(states.some((s) => s.state === 'connected' && s.at > down!.at), timeline).toBe(false);
    expect(leftAt - down!.at, timeline).toBeGreaterThanOrEqual(LEAVE_GRACE_MS - 100);
    expect(leftAt - down!.at, timeline).toBeLessThan(LEAVE_GRACE_MS + 2000);
    expect(leftAt - cutAt, timeline).toBeLessThan(20_000);

    expect(shape(await alice.events())).toEqual([
      ...callerStart('bob'),
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
      ...calleeStart('alice'),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
    expect(await bob.callVideos()).toBe(0);
  });

  it('Bob offline mid-call until three reconnects were refused (his WebSocket drops, his media does not): his line reconnects, both stay in the call, media keeps flowing, no USER_LEAVE, no CALL_END', async () => {
    const alice = await world.open('alice', { init: recordPeerConnections });
    const bob = await world.open('bob', { init: refuseSocketsWhenOffline });
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });
    await alice.waitFrames('bob');

    const cdp = await bob.context.newCDPSession(bob.page);
    await cdp.send('Network.enable');
    const offline = async (on: boolean) => {
      await cdp.send('Network.emulateNetworkConditions', { offline: on, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await bob.page.evaluate((value) => ((globalThis as unknown as PcWindow).__offline = value), on);
    };
    const received = () =>
      alice.page.evaluate(() =>
        (globalThis as unknown as PcWindow).__pcs[0]!.getStats().then((report) => {
          let bytes = 0;
          report.forEach((s: { type: string; bytesReceived?: number }) => {
            if (s.type === 'inbound-rtp') bytes += s.bytesReceived ?? 0;
          });
          return bytes;
        }),
      );
    await offline(true);
    // The connection drops (the emulation alone only holds its frames): his line knows at once.
    expect(world.server.handle.dropConnections('bob')).toBe(1);
    await bob.waitEvent('sdkNotReady', {}, 5000);
    const before = await received();
    await alice.click('camera'); // told to Bob through the server: it waits for him
    // Offline until his line tried three times and was refused each time (the default policy: at once, 0.3 s and
    // 1.5 s after the drop); it tries next 4.2 s after the drop. A fixed 5 s here left him waiting for the 9 s try.
    await bob.page.waitForFunction(() => (globalThis as unknown as PcWindow).__refused! >= 3, undefined, { timeout: 15_000, polling: 50 });
    expect(await received()).toBeGreaterThan(before); // his media went on all the while
    expect((await bob.events()).filter((x) => x.name === 'sdkReady')).toHaveLength(1); // not back while offline
    await offline(false);
    await bob.waitEvent('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: false }, 20_000); // caught up on resume
    expect((await bob.events()).filter((x) => x.name === 'sdkReady')).toHaveLength(2);

    // Still in the call on both sides, media flowing both ways, nobody left.
    await alice.click('camera');
    await bob.waitEvent('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: true });
    await bob.waitFrames('alice');
    await alice.waitFrames('bob');
    for (const user of [alice, bob]) {
      const status = await user.page.evaluate(() => (globalThis as unknown as { hcDemo: { calling(): { getCallStatus(): string } } }).hcDemo.calling().getCallStatus());
      expect(status).toBe('connected');
      const names = (await user.events()).map((x) => x.name);
      expect(names).not.toContain('onUserLeave');
      expect(names).not.toContain('onCallEnd');
    }
    expect(await alice.page.evaluate(() => (globalThis as unknown as PcWindow).__pcs.map((pc) => pc.connectionState))).toEqual(['connected']);
    await alice.click('hangup');
    await bob.waitEvent('onCallEnd', { reason: 'hangup' });
  });

  it("Bob's connection to Alice reported failed: he restarts ICE over the relay though he is the polite side (fresh ICE credentials on both sides), the connection is back, the call goes on", async () => {
    // Both pages' leave grace is LEAVE_GRACE_MS, not the default 5 s: the test waits it out (the restart takes some
    // 80 ms here, well inside it).
    const alice = await world.open('alice', { init: recordPeerConnections, query: SHORT_GRACE });
    const bob = await world.open('bob', { init: recordPeerConnections, query: SHORT_GRACE });
    await alice.call('bob', { type: 1 });
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });
    const ufrags = (user: typeof alice) =>
      user.page.evaluate(() => {
        const pc = (globalThis as unknown as PcWindow).__pcs[0]!;
        const ufrag = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
        return [ufrag(pc.localDescription?.sdp), ufrag(pc.remoteDescription?.sdp)];
      });
    const [aliceBefore, bobBefore] = [await ufrags(alice), await ufrags(bob)];

    // His browser says the connection failed (the state is faked; everything after it is real).
    const failedAt = await bob.page.evaluate(() => {
      const pc = (globalThis as unknown as PcWindow).__pcs[0]!;
      Object.defineProperty(pc, 'connectionState', { get: () => 'failed', configurable: true });
      pc.dispatchEvent(new Event('connectionstatechange'));
      delete (pc as { connectionState?: unknown }).connectionState; // the real state again
      return performance.now(); // his page's clock: his call's leave grace (LEAVE_GRACE_MS) runs from here
    });
    await bob.page.waitForFunction(
      ([before]) => {
        const pc = (globalThis as unknown as PcWindow).__pcs[0]!;
        return pc.signalingState === 'stable' && !(pc.localDescription?.sdp ?? '').includes(`a=ice-ufrag:${before}`);
      },
      [bobBefore[0]] as const,
      { timeout: 10_000, polling: 50 },
    );
    const [aliceAfter, bobAfter] = [await ufrags(alice), await ufrags(bob)];
    expect(bobAfter[0]).not.toBe(bobBefore[0]); // his new credentials...
    expect(aliceAfter[1]).toBe(bobAfter[0]); // ...reached Alice over the relay
    expect(aliceAfter[0]).not.toBe(aliceBefore[0]); // and she answered with new ones of hers
    expect(bobAfter[1]).toBe(aliceAfter[0]);
    await bob.page.waitForFunction(() => (globalThis as unknown as PcWindow).__pcs[0]!.connectionState === 'connected', undefined, { timeout: 10_000 });
    // His room tells the call the connection is back: the call outlives the leave grace, by 1 s, counted from the
    // failure that started it (it was that long from here, after the restart: the restart's time more).
    await bob.page.evaluate(() => (globalThis as unknown as PcWindow).__pcs[0]!.dispatchEvent(new Event('connectionstatechange')));
    await bob.page.waitForFunction(([from, grace]) => performance.now() - from >= grace + 1000, [failedAt, LEAVE_GRACE_MS] as const, { timeout: 15_000, polling: 100 });
    for (const user of [alice, bob]) {
      const names = (await user.events()).map((x) => x.name);
      expect(names).not.toContain('onUserLeave');
      expect(names).not.toContain('onCallEnd');
    }
    await alice.click('hangup');
    await bob.waitEvent('onCallEnd', { reason: 'hangup' });
  });
});
