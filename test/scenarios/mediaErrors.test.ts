/**
 * A refused camera or microphone as the WebRTC room reports it (`prepare`, then `enter`, failing
 * with 60005), over the memory network: `call()` and `accept()` reject with the code (and
 * ERROR) before any signal is sent; a device lost between `prepare` and `enter` still ends the
 * call cleanly (ERROR, CALL_END error, the other side told). A camera change the room refuses
 * while the user's next one waits behind it: the call ends up with what the room did last.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/index';
import { CallingError, RoomPortError, TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { forwardingRoom } from '../support/rooms';
import { type MemoryWorld, type Party, memoryWorld, party } from '../support/world';

const refused = () => Promise.reject(new RoomPortError(60005, 'media permission denied (NotAllowedError)'));

/** The room of `backend`, refusing the devices from `when` on, as a browser does when the user clicks "Block". */
function refusingMedia(backend: Backend, when: 'prepare' | 'enter'): Backend {
  const room = forwardingRoom(backend.room, {
    prepare: async () => (when === 'prepare' ? refused() : undefined),
    enter: async () => refused(),
  });
  return { ...backend, room };
}

describe('media refused when entering the room', () => {
  let world: MemoryWorld;
  const made: Party[] = [];
  afterEach(async () => {
    for (const p of made.splice(0)) p.calling.destroy();
    await world.dispose();
  });

  async function setup(refuser: 'alice' | 'bob', when: 'prepare' | 'enter' = 'prepare') {
    world = memoryWorld();
    const make = (id: string) => {
      const p = party(id, new TRTCCalling({ SDKAppID: 1400000001, backend: id === refuser ? refusingMedia(world.net.backend(), when) : world.net.backend() }));
      made.push(p);
      return p;
    };
    const alice = make('alice');
    const bob = make('bob');
    for (const p of [alice, bob]) await p.calling.login({ userID: p.id, userSig: `sig-${p.id}` });
    await world.net.settle();
    alice.take();
    bob.take();
    return { alice, bob };
  }

  it('Bob accept(), the devices lost between prepare and entering -> Bob ERROR 60005, CALL_END error; Alice REJECT, CALL_END rejected', async () => {
    const { alice, bob } = await setup('bob', 'enter');
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(100);
    const [invited] = bob.take();
    expect(invited?.name).toBe('onInvited');
    await bob.calling.accept();
    await world.advance(100);
    // The ERROR carries the room's refusal (through the call machine: room.enterFailed).
    expect(bob.take()).toEqual([ev.error(60005, expect.any(RoomPortError)), ev.end('alice', 'error')]);
    expect(alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected')]);
  });

  it('Bob accept() with media refused -> the accept() promise rejects with code 60005, and the call still rings', async () => {
    const { alice, bob } = await setup('bob');
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(100);
    bob.take();
    const accepted = bob.calling.accept().then(() => 'resolved', (error: { code?: number }) => error.code);
    await world.advance(100);
    expect(await accepted).toBe(60005);
    expect(bob.take()).toEqual([ev.error(60005)]);
    expect(alice.take()).toEqual([]);
    expect(bob.calling.getSnapshot().call?.state).toBe('ringing');
  });

  it('Alice call() with media refused -> the call() promise rejects with code 60005, and nobody is invited', async () => {
    const { alice } = await setup('alice');
    const called = alice.calling.call({ userID: 'bob', type: 2, timeout: 30 }).then(() => 'resolved', (error: unknown) => error);
    await world.advance(100);
    const rejected = await called;
    expect(rejected).toMatchObject({ code: 60005, reason: 'media', cause: expect.any(RoomPortError) });
    // The ERROR told before it carries the same refusal.
    expect(alice.take()).toEqual([ev.error(60005, (rejected as CallingError).cause)]);
    expect(world.net.im.log).toEqual([]);
  });
});

describe('a refused camera change with the next one waiting behind it', () => {
  let world: MemoryWorld;
  let bobs: Party | null = null;
  afterEach(async () => {
    bobs?.calling.destroy();
    await world.dispose();
  });

  /**
   * Alice and Bob in a video call, Bob's camera off; Bob's room fails his next camera change
   * when `fail()` is called, the ones after it go through.
   */
  async function inCall() {
    world = memoryWorld();
    let fail: (() => void) | null = null;
    let armed = false;
    const refusal = new RoomPortError(60004, 'the camera is in use by another application');
    const backend = world.net.backend();
    const room = forwardingRoom(backend.room, {
      setCamera: (on) => {
        if (!armed) return backend.room.setCamera(on);
        armed = false;
        return new Promise<void>((_, reject) => {
          fail = () => reject(refusal);
        });
      },
    });
    const alice = await world.user('alice');
    const bob = party('bob', new TRTCCalling({ SDKAppID: 1400000001, backend: { ...backend, room } }));
    bobs = bob;
    await bob.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(100);
    await bob.calling.accept();
    await world.advance(100);
    await bob.calling.closeCamera();
    await world.advance(100);
    alice.take();
    bob.take();
    armed = true;
    return { alice, bob, fail: () => fail?.(), refusal };
  }

  it('openCamera() refused, openCamera() again while the first waits -> the second opens it: Bob\'s call says on, Alice sees it', async () => {
    const { alice, bob, fail } = await inCall();
    const first = bob.calling.openCamera().then(() => 'resolved', (error: { code?: number }) => error.code);
    const second = bob.calling.openCamera().then(() => 'resolved', (error: { code?: number }) => error.code);
    await world.advance(0);
    fail();
    await world.advance(100);
    expect([await first, await second]).toEqual([60004, 'resolved']);
    expect(bob.calling.getSnapshot().call?.local.camera).toBe(true);
    expect(alice.take()).toEqual([ev.video('bob', true)]);
  });

  it('openCamera() refused, closeCamera() then openCamera() while it waits -> on, as the room did last', async () => {
    const { alice, bob, fail } = await inCall();
    const calls = [bob.calling.openCamera(), bob.calling.closeCamera(), bob.calling.openCamera()].map((p) =>
      p.then(() => 'resolved', (error: { code?: number }) => error.code),
    );
    await world.advance(0);
    fail();
    await world.advance(100);
    expect(await Promise.all(calls)).toEqual([60004, 'resolved', 'resolved']);
    expect(bob.calling.getSnapshot().call?.local.camera).toBe(true);
    expect(alice.take()).toEqual([ev.video('bob', true)]);
  });

  it('openCamera() refused, closeCamera() while it waits -> off', async () => {
    const { alice, bob, fail } = await inCall();
    const calls = [bob.calling.openCamera(), bob.calling.closeCamera()].map((p) =>
      p.then(() => 'resolved', (error: { code?: number }) => error.code),
    );
    await world.advance(0);
    fail();
    await world.advance(100);
    expect(await Promise.all(calls)).toEqual([60004, 'resolved']);
    expect(bob.calling.getSnapshot().call?.local.camera).toBe(false);
    expect(alice.take()).toEqual([]);
  });

  it('openCamera() refused with nothing behind it -> off, ERROR 60004; the rejection and the ERROR carry the room\'s error as their cause', async () => {
    const { alice, bob, fail, refusal } = await inCall();
    const first = bob.calling.openCamera().then(() => 'resolved', (error: unknown) => error);
    await world.advance(0);
    fail();
    await world.advance(100);
    const rejected = await first;
    expect(rejected).toBeInstanceOf(CallingError);
    expect(rejected).toMatchObject({ code: 60004, reason: 'backend' });
    expect((rejected as CallingError).cause).toBe(refusal);
    expect(bob.calling.getSnapshot().call?.local.camera).toBe(false);
    expect(bob.take()).toEqual([ev.error(60004, refusal)]);
    expect(alice.take()).toEqual([]);
  });
});
