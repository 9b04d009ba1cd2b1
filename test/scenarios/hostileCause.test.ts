/**
 * A backend error whose `cause` cannot be serialized (a `toJSON` that throws) or read (a getter that
 * throws), and an inspector that throws: none of them breaks a call, and the app still gets the
 * cause untouched (the same object) in `ERROR` and the dial's result.
 *
 * Found by the client review (2026-12-05): the `inspect` option's observer was called inside the line
 * actor's step with nothing around it, so an inspector that threw (one that logs `JSON.stringify(event)`
 * meets such a cause in `im.sendFailed`) threw out of XState's mailbox, which then stopped processing:
 * the call hung. `statelyInspector()` handed the same event to the Stately inspector, whose serializer
 * threw in a timer of its own (an uncaught exception: in Node, the end of the process).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../../adapters/backend';
import type { InspectionEvent } from 'xstate';
import { type GroupCallResult, TRTCCalling } from '../../src/index';
import { statelyInspector } from '../../src/inspect';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { ev } from '../support/ev';
import { party, type Party, withSendToUser } from '../support/world';

const S = 1000;

/** A backend's own error (code 20) that cannot be serialized: its `toJSON` throws, and so does its `detail` getter. */
function hostile(): Error {
  const error = Object.assign(new Error('the SDK refused it'), { code: 20 });
  Object.defineProperty(error, 'detail', { enumerable: true, get: () => { throw new Error('detail getter'); } });
  Object.defineProperty(error, 'toJSON', { value: () => { throw new Error('toJSON threw'); } });
  return error;
}

describe('a cause that cannot be serialized, an inspector that throws: the call goes on', () => {
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  afterEach(() => consoleError.mockClear());

  /** Alice (with `inspect`), whose IM refuses her invitation to Carol with `refusal` ({@link hostile}); Bob and Carol. */
  async function world(inspect?: (event: InspectionEvent) => void, refusal: object = hostile()) {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const real = net.backend();
    const im = withSendToUser(real.im, (sendToUser, ...args) =>
      args[0] === 'carol' && args[1].includes('"actionType":1') ? Promise.reject(refusal) : sendToUser(...args),
    );
    const alice = party('alice', new TRTCCalling({ SDKAppID: 1, backend: { ...real, im } as Backend, ...(inspect ? { inspect } : {}) }));
    const bob = party('bob', new TRTCCalling({ SDKAppID: 1, backend: net.backend() }));
    const carol = party('carol', new TRTCCalling({ SDKAppID: 1, backend: net.backend() }));
    for (const p of [alice, bob, carol]) await p.calling.login({ userID: p.id, userSig: 's' });
    await net.advance(S);
    for (const p of [alice, bob, carol]) p.take();
    return { net, alice, bob, carol, refusal };
  }

  /** Alice group-calls Bob and Carol (Carol's invitation refused), Bob accepts, Alice hangs up: the whole log. */
  async function script({ net, alice, bob, refusal }: { net: { advance(ms: number): Promise<void> }; alice: Party; bob: Party; refusal: object }) {
    const dial = alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await net.advance(S);
    const result = (await dial) as GroupCallResult;
    expect(result.data[1]).toMatchObject({ code: 20, userID: 'carol' });
    expect(result.data[1]?.error?.cause).toBe(refusal); // untouched, to the app
    expect(alice.take()).toEqual([ev.error(20, refusal), ev.noResp('carol', 'alice')]);
    await bob.calling.accept();
    await net.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)]);
    await alice.calling.hangup();
    await net.advance(S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(bob.take().map((e) => e.name)).toEqual(['onInvited', 'onUserEnter', 'onGroupCallInviteeListUpdate', 'onUserAudioAvailable', 'onUserLeave', 'onGroupCallInviteeListUpdate', 'onCallEnd']);
    expect(alice.calling.getCallStatus()).toBe('idle');
  }

  it('no inspector; an ERROR listener that serializes its payload (it throws) -> ERROR carries the hostile cause, the call goes on', async () => {
    const w = await world();
    w.alice.calling.on(TRTCCalling.EVENT.ERROR, (payload) => void JSON.stringify(payload));
    await script(w);
    expect(JSON.stringify(w.alice.calling.getSnapshot())).toContain('"line":"idle"');
  });

  it('an inspector that logs JSON.stringify(event) (it throws on the refusal\'s signal) -> the call goes on; the first throw is reported once on the console', async () => {
    let threw = 0;
    const w = await world((event) => {
      try {
        if (event.type === '@xstate.event') JSON.stringify(event.event);
      } catch (error) {
        threw++;
        throw error;
      }
    });
    await script(w);
    expect(threw).toBeGreaterThan(0);
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(String(consoleError.mock.calls[0]?.[0])).toMatch(/inspector threw/);
  });

  it('an inspector that throws on every event -> the call goes on all the same', async () => {
    const w = await world(() => {
      throw new Error('inspector bug');
    });
    await script(w);
    expect(consoleError).toHaveBeenCalledTimes(1);
  });

  it('statelyInspector({ kind: "callback" }) whose send serializes each event -> nothing thrown: the cause arrives described, not as itself', async () => {
    const sent: string[] = [];
    const failures: unknown[] = [];
    const inspect = await statelyInspector({
      kind: 'callback',
      send: (event) => {
        try {
          sent.push(JSON.stringify(event));
        } catch (error) {
          failures.push(error);
        }
      },
    });
    const w = await world(inspect.next ? (e) => inspect.next?.(e) : undefined);
    await script(w);
    // The Stately inspector sends on a timer of its own (real time): wait for the refusal's signal.
    await vi.waitFor(() => expect(sent.some((s) => s.includes('"im.sendFailed"'))).toBe(true), { timeout: 5_000 });
    expect(failures).toEqual([]);
    const failed = sent.find((s) => s.includes('"type":"@xstate.event"') && s.includes('"im.sendFailed"')) ?? '';
    expect(failed).toContain('toJSON threw');
  });

  it('statelyInspector({ kind: "callback" }), the IM refusing with an error that refers to its SDK client (a graph with cycles) -> each cycle cut once, as the Stately serializer cuts it', async () => {
    // An SDK client whose modules point back to it: safe-stable-stringify (the Stately inspector's) writes
    // each way back as "[Circular]"; serializable() copied the graph again down every way back, to depth 10
    // (24 ways back per module: hundreds of thousands of objects for one event, megabytes once serialized).
    const client: Record<string, unknown> = { name: 'tim' };
    for (const m of ['message', 'group', 'profile', 'conversation', 'signaling', 'friend', 'relay', 'events']) {
      client[m] = { kind: m, client, parent: client, root: client };
    }
    const refusal = Object.assign(new Error('the SDK refused it'), { code: 20, client });
    const sent: string[] = [];
    const inspect = await statelyInspector({ kind: 'callback', send: (event) => sent.push(JSON.stringify(event)) });
    const w = await world(inspect.next ? (e) => inspect.next?.(e) : undefined, refusal);
    await script(w);
    await vi.waitFor(() => expect(sent.some((s) => s.includes('"type":"@xstate.event"') && s.includes('"im.sendFailed"'))).toBe(true), { timeout: 5_000 });
    const failed = sent.find((s) => s.includes('"type":"@xstate.event"') && s.includes('"im.sendFailed"')) ?? '';
    expect(failed).toContain('"kind":"signaling"');
    expect(failed.length).toBeLessThan(10_000);
    expect(failed).toContain('[Circular]');
  });

  it('statelyInspector({ kind: "callback" }) whose send throws on every event -> the call goes on; told once on the console, as an inspector that throws', async () => {
    let calls = 0;
    const inspect = await statelyInspector({
      kind: 'callback',
      send: () => {
        calls++;
        throw new Error('send bug');
      },
    });
    const w = await world(inspect.next ? (e) => inspect.next?.(e) : undefined);
    await script(w);
    // The Stately inspector sends on a timer of its own (real time): wait for it to have sent a few.
    await vi.waitFor(() => expect(calls).toBeGreaterThan(20), { timeout: 5_000 });
    expect(consoleError).toHaveBeenCalledTimes(1); // it was once per event: 94 for one short call
    expect(String(consoleError.mock.calls[0]?.[0])).toMatch(/inspector threw/);
  });

  it('the IM refuses with a value whose message getter and toString throw -> ERROR 20 with it as cause, NO_RESP, data; the call goes on', async () => {
    // It threw in the bridge (toPortError read its message): an unhandled rejection, no ERROR, no NO_RESP.
    const unreadable = {
      code: 20,
      get message(): string {
        throw new Error('message getter');
      },
      toString(): string {
        throw new Error('toString');
      },
    };
    await script(await world(undefined, unreadable));
  });

  it('an event listener and a store subscriber that throw such a value -> ERROR for each, and the call goes on', async () => {
    const { net, alice, bob, carol } = await world();
    const unreadable = { toString: (): string => { throw new Error('toString'); } };
    alice.calling.on(TRTCCalling.EVENT.USER_ENTER, () => {
      throw unreadable;
    });
    let once = true;
    alice.calling.subscribe(() => {
      if (once && alice.calling.getSnapshot().call?.state === 'inCall') {
        once = false;
        throw unreadable;
      }
    });
    await alice.calling.call({ userID: 'bob', type: 1 });
    await net.advance(S);
    await bob.calling.accept();
    await net.advance(S);
    const log = alice.take();
    expect(log.filter((e) => e.name === 'onError')).toEqual([ev.error(65535), ev.error(65535)]);
    expect(log.filter((e) => e.name !== 'onError')).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    await alice.calling.hangup();
    await net.advance(S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(bob.take().map((e) => e.name)).toEqual(['onInvited', 'onUserEnter', 'onUserAudioAvailable', 'onUserLeave', 'onCallEnd']);
    expect(carol.take()).toEqual([]);
  });
});
