/**
 * The inspector: any XState inspection observer taken by the constructor, and the Stately
 * inspector wired by `statelyInspector`, see every actor of a call (line, call, invitees).
 */
import { describe, expect, it, vi } from 'vitest';
import type { InspectionEvent, Observer } from 'xstate';
import { TRTCCalling } from '../../src/index';
import { statelyInspector } from '../../src/inspect';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

async function aCall(inspect: ((e: InspectionEvent) => void) | Observer<InspectionEvent>) {
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend(), inspect });
  const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  bob.on('onInvited', () => void bob.accept());
  await alice.login({ userID: 'alice', userSig: 's' });
  await bob.login({ userID: 'bob', userSig: 's' });
  await alice.call({ userID: 'bob', type: 1, timeout: 30 });
  await net.advance(1000);
  await alice.hangup();
  await net.advance(1000);
  alice.destroy();
  bob.destroy();
}

describe('inspection', () => {
  it('a plain observer function sees the line, the call and the invitee actors change state', async () => {
    const seen: string[] = [];
    await aCall((event) => {
      if (event.type === '@xstate.snapshot') {
        const value = (event.snapshot as { value?: unknown }).value;
        seen.push(`${(event.actorRef as { id?: string }).id}:${JSON.stringify(value)}`);
      }
    });
    expect(seen).toContain('call:"dialing"');
    expect(seen).toContain('call:{"inCall":"together"}');
    expect(seen).toContain('call:"ended"');
    expect(seen).toContain('invitee:bob:"joined"');
    expect(seen.some((s) => s.endsWith(':{"online":"busy"}'))).toBe(true);
  });

  it('statelyInspector({ kind: "callback" }) feeds @statelyai/inspect, which serializes every actor', async () => {
    const events: Array<{ type: string; sessionId?: string; snapshot?: { value?: unknown } }> = [];
    const inspect = await statelyInspector({ kind: 'callback', send: (e) => events.push(e as (typeof events)[number]) });
    await aCall(inspect);
    // The Stately inspector serializes on an idle callback: wait for it to catch up.
    const values = () => events.filter((e) => e.type === '@xstate.snapshot').map((e) => JSON.stringify(e.snapshot?.value));
    await vi.waitFor(() => expect(values()).toContain('"ended"'), { timeout: 5_000 });
    const types = new Set(events.map((e) => e.type));
    expect(types).toContain('@xstate.actor');
    expect(types).toContain('@xstate.snapshot');
    expect(types).toContain('@xstate.event');
    expect(values()).toContain('"dialing"');
  });

  it('statelyInspector refuses a target that is not one with a TypeError naming it, before loading anything', async () => {
    const refused = async (target: unknown) => {
      const error = await statelyInspector(target as Parameters<typeof statelyInspector>[0]).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      return (error as TypeError).message;
    };
    // A JavaScript app's typo: an unknown kind returned no observer, and the client ran uninspected without a word.
    expect(await refused({ kind: 'Browser' })).toBe(`statelyInspector: kind must be 'browser', 'websocket' or 'callback', got "Browser"`);
    // No url: the Stately inspector failed with "Invalid URL: undefined".
    expect(await refused({ kind: 'websocket' })).toBe(`statelyInspector: { kind: 'websocket' } needs url to be a ws:// or wss:// URL, got undefined`);
    expect(await refused({ kind: 'websocket', url: 'http://127.0.0.1:8080' })).toContain('needs url to be a ws:// or wss:// URL, got "http://127.0.0.1:8080"');
    expect(await refused({ kind: 'browser', url: 'stately.ai/inspect' })).toContain(`{ kind: 'browser' } needs url to be a http:// or https:// URL`);
    // In Node (no window) the Stately inspector logged "Window does not exist" and inspected nothing.
    expect(await refused({ kind: 'browser' })).toBe(`statelyInspector: { kind: 'browser' } needs a browser page's window; elsewhere (Node) use { kind: 'websocket', url } or { kind: 'callback', send }`);
    expect(await refused({ kind: 'callback' })).toBe(`statelyInspector: { kind: 'callback' } needs send to be a function, got undefined`);
    expect(await refused(undefined)).toContain('the target must be an object');
  });
});
