/**
 * How `call()` and `groupCall()` start where the room captures while it enters (WebRTC) and the
 * backend's server hands rooms to calls (embedded), over the memory network with a room port that
 * adds those two to the memory one:
 * - the room claim is written and not waited for: the invitation goes at once (call setup spends
 *   no round trip on the claim), and the command settles once the claim is answered, with the
 *   claim's error when it was refused (on the embedded server the invitation behind a refused claim
 *   is refused too: test/security/rooms.security.test.ts);
 * - a device the browser already says is blocked (`permissionDenied`) fails the command before
 *   anyone is invited and before the capture is asked for; `accept()` does not ask.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, RoomPort } from '../../src/index';
import { RoomPortError, TRTCCalling } from '../../src/index';
import { forwardingRoom } from '../support/rooms';
import { type MemoryWorld, type Party, memoryWorld, party } from '../support/world';

/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve = () => undefined as void;
  let reject = (_error: Error) => undefined as void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What the room port below was asked. */
interface Asked {
  claims: number[];
  prepared: number;
  permissionAsked: number;
}

/** The memory room of `backend`, with a claim answered by `claim` and a permission state, as the WebRTC room over the embedded server has them. */
function claimingRoom(backend: Backend, claim: () => Promise<void>, denied: boolean, asked: Asked): Backend {
  const room = backend.room;
  const listeners: Parameters<RoomPort['onEvent']>[0][] = [];
  const port = forwardingRoom(room, {
    capturesWhileEntering: true,
    // As WsRoomPort's: a refusal is also told as the room failing.
    reserve: (roomID) => {
      asked.claims.push(roomID);
      return claim().catch((error: RoomPortError) => {
        for (const listener of listeners) listener({ type: 'failed', roomID, error });
        throw error;
      });
    },
    permissionDenied: async () => {
      asked.permissionAsked++;
      return denied ? new RoomPortError(60005, 'media permission denied (camera and microphone blocked for this page)') : null;
    },
    prepare: async () => {
      asked.prepared++;
    },
    onEvent: (listener) => {
      listeners.push(listener);
      return room.onEvent(listener);
    },
  });
  return { ...backend, room: port };
}

describe('dialling: the room claim is not waited for, a blocked device is asked about first', () => {
  let world: MemoryWorld;
  const made: Party[] = [];
  afterEach(async () => {
    for (const p of made.splice(0)) p.calling.destroy();
    await world.dispose();
  });

  async function setup(options: { claim?: () => Promise<void>; denied?: boolean } = {}) {
    world = memoryWorld();
    const asked: Asked = { claims: [], prepared: 0, permissionAsked: 0 };
    const make = (id: string, backend: Backend) => {
      const p = party(id, new TRTCCalling({ SDKAppID: 1400000001, backend }));
      made.push(p);
      return p;
    };
    const alice = make('alice', claimingRoom(world.net.backend(), options.claim ?? (async () => undefined), options.denied ?? false, asked));
    const bob = make('bob', world.net.backend());
    const carol = make('carol', world.net.backend());
    for (const p of [alice, bob, carol]) await p.calling.login({ userID: p.id, userSig: `sig-${p.id}` });
    await world.net.settle();
    for (const p of [alice, bob, carol]) p.take();
    return { alice, bob, carol, asked };
  }

  /** Whether `promise` has settled, and how. */
  function watch(promise: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
    const seen: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
    promise.then(
      () => (seen.state = 'resolved'),
      (error: unknown) => {
        seen.state = 'rejected';
        seen.error = error;
      },
    );
    return seen;
  }

  it('call(): Bob rings while the claim is still unanswered; call() resolves once it is taken', async () => {
    const claim = deferred();
    const { alice, bob, asked } = await setup({ claim: () => claim.promise });
    const calling = watch(alice.calling.call({ userID: 'bob', type: 2, timeout: 30 }));
    await world.advance(100);
    expect(asked.claims).toHaveLength(1);
    expect(bob.take()).toMatchObject([{ name: 'onInvited', payload: { sponsor: 'alice', inviteData: { callType: 2 } } }]);
    expect(calling.state).toBe('pending');
    claim.resolve();
    await world.advance(0);
    expect(calling.state).toBe('resolved');
    expect(alice.calling.getSnapshot().call).toMatchObject({ state: 'dialing', roomID: asked.claims[0] });
  });

  it('call() with its claim refused after the invitation went through: the call ends (ERROR, CALL_END error, Bob CALLING_CANCEL) and call() rejects with the claim\'s code and reason', async () => {
    const claim = deferred();
    const { alice, bob, asked } = await setup({ claim: () => claim.promise });
    const calling = alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(100);
    expect(bob.take().map((e) => e.name)).toEqual(['onInvited']);
    const refusal = new RoomPortError(-1401, `room ${asked.claims[0]} belongs to another call (roomInUse)`, 'roomInUse');
    claim.reject(refusal);
    await expect(calling).rejects.toMatchObject({ code: -1401, reason: 'roomInUse', cause: refusal });
    await world.advance(100);
    // The room's refusal, reported as the room failing, is the ERROR's cause too.
    expect(alice.take()).toEqual([
      { name: 'onError', payload: { code: -1401, msg: `room ${asked.claims[0]} belongs to another call (roomInUse)`, cause: refusal } },
      { name: 'onCallEnd', payload: expect.objectContaining({ reason: 'error' }) },
    ]);
    expect(bob.take().map((e) => e.name)).toEqual(['onCallingCancel']);
    expect(alice.calling.getSnapshot().line).toBe('idle');
  });

  it('groupCall(): the invitations go while the claim is unanswered', async () => {
    const claim = deferred();
    const { alice, bob, carol } = await setup({ claim: () => claim.promise });
    const calling = watch(alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, timeout: 30 }));
    await world.advance(100);
    expect(bob.take().map((e) => e.name)).toEqual(['onInvited']);
    expect(carol.take().map((e) => e.name)).toEqual(['onInvited']);
    expect(calling.state).toBe('pending');
    claim.resolve();
    await world.advance(0);
    expect(calling.state).toBe('resolved');
  });

  it('call() with the devices blocked for the page rejects with 60005 and ERROR before anyone is invited, nothing captured or claimed', async () => {
    const { alice, bob, asked } = await setup({ denied: true });
    await expect(alice.calling.call({ userID: 'bob', type: 2, timeout: 30 })).rejects.toMatchObject({ code: 60005 });
    await world.advance(5_000);
    expect(alice.take()).toEqual([
      { name: 'onError', payload: { code: 60005, msg: 'media permission denied (camera and microphone blocked for this page)', cause: expect.any(RoomPortError) } },
    ]);
    expect(bob.take()).toEqual([]);
    expect(asked).toEqual({ claims: [], prepared: 0, permissionAsked: 1 });
    expect(alice.calling.getSnapshot().line).toBe('idle');
  });

  it('accept() does not ask the permission first: its signal goes at once, as before', async () => {
    const { alice, bob, asked } = await setup();
    await bob.calling.call({ userID: 'alice', type: 2, timeout: 30 });
    await world.advance(100);
    expect(alice.take()).toMatchObject([{ name: 'onInvited', payload: { sponsor: 'bob', inviteData: { callType: 2 } } }]);
    await alice.calling.accept();
    expect(asked.permissionAsked).toBe(0);
    expect(asked.prepared).toBe(1);
  });
});
