/**
 * The `room` actor over a port (`roomBridge`): a camera or microphone change made while an enter
 * is under way reaches the port at once (`preset`), not behind the enter like `setCamera` /
 * `setMicMuted`, so a capture landing meanwhile lands as the user wants it (WebRTC). And once a
 * newer enter is asked for, the earlier ones' outcomes and facts are nobody's (the next call may be
 * in the same room).
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, createActor, setup } from 'xstate';
import { roomBridge } from '../../adapters/bridges';
import { type RoomEvent, type RoomPort, RoomPortError } from '../../adapters/RoomPort';
import type { RoomRequest } from '../../machines/events';

/** A port whose enter the test finishes; every call it gets, in order. */
function fakePort() {
  const calls: string[] = [];
  let finish = (): void => undefined;
  const port = {
    onEvent: () => () => undefined,
    enter: (roomID: number, o: { video: boolean; audioMuted: boolean }) => {
      calls.push(`enter ${roomID} video=${o.video} muted=${o.audioMuted}`);
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    },
    preset: (m: { video: boolean; audioMuted: boolean }) => calls.push(`preset video=${m.video} muted=${m.audioMuted}`),
    setMicMuted: async (muted: boolean) => {
      calls.push(`setMicMuted ${muted}`);
    },
    exit: async () => {
      calls.push('exit');
    },
  } as unknown as RoomPort;
  return { port, calls, finish: () => finish() };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('roomBridge: room.preset', () => {
  it('setMicMute while the enter captures -> preset at once (before the enter is done), setMicMuted after it; after the enter a preset is dropped', async () => {
    const { port, calls, finish } = fakePort();
    const actor = createActor(roomBridge(port, { clock: { now: () => 0 } })).start();
    actor.send({ type: 'room.preset', roomID: 42, video: true, audioMuted: true }); // no enter yet: nothing to land
    actor.send({ type: 'room.enter', roomID: 42, userID: 'bob', video: true, audioMuted: false });
    actor.send({ type: 'room.preset', roomID: 7, video: true, audioMuted: true }); // another room: not this enter's
    actor.send({ type: 'room.preset', roomID: 42, video: false, audioMuted: true });
    actor.send({ type: 'room.setMic', roomID: 42, commandId: -1, muted: true });
    await flush();
    expect(calls).toEqual(['enter 42 video=true muted=false', 'preset video=false muted=true']);
    finish();
    await flush();
    actor.send({ type: 'room.preset', roomID: 42, video: true, audioMuted: false });
    await flush();
    expect(calls).toEqual(['enter 42 video=true muted=false', 'preset video=false muted=true', 'setMicMuted true']);
    actor.stop();
  });
});

describe('roomBridge: room.preset for an enter waiting its turn', () => {
  it('the call leaves room 7 for room 42 (a glare merge) and mutes while the enter of 42 waits behind the exit -> the enter starts muted; a join\'s preset is not given to an older enter of the same room still running', async () => {
    const calls: string[] = [];
    const exits: Array<() => void> = [];
    const enters: Array<() => void> = [];
    const port = {
      onEvent: () => () => undefined,
      enter: (roomID: number, o: { video: boolean; audioMuted: boolean }) => {
        calls.push(`enter ${roomID} video=${o.video} muted=${o.audioMuted}`);
        return new Promise<void>((resolve) => enters.push(resolve));
      },
      preset: (m: { video: boolean; audioMuted: boolean }) => calls.push(`preset video=${m.video} muted=${m.audioMuted}`),
      exit: () => {
        calls.push('exit');
        return new Promise<void>((resolve) => exits.push(resolve));
      },
    } as unknown as RoomPort;
    const actor = createActor(roomBridge(port, { clock: { now: () => 0 } })).start();
    actor.send({ type: 'room.enter', roomID: 7, userID: 'bob', video: true, audioMuted: false });
    await flush();
    enters[0]!();
    await flush();
    actor.send({ type: 'room.exit', roomID: 7 });
    actor.send({ type: 'room.enter', roomID: 42, userID: 'bob', video: true, audioMuted: false });
    actor.send({ type: 'room.preset', roomID: 42, video: false, audioMuted: true });
    await flush();
    exits[0]!();
    await flush();
    expect(calls).toEqual(['enter 7 video=true muted=false', 'exit', 'enter 42 video=false muted=true']);
    enters[1]!();
    await flush();

    // Hung up while entering 42 (its exit asked of the port at once), then a join of 42: the join's preset is not the first enter's.
    calls.length = 0;
    actor.send({ type: 'room.exit', roomID: 42 });
    actor.send({ type: 'room.enter', roomID: 42, userID: 'bob', video: true, audioMuted: false });
    await flush();
    exits[1]!();
    await flush();
    actor.send({ type: 'room.exit', roomID: 42 });
    actor.send({ type: 'room.enter', roomID: 42, userID: 'bob', video: true, audioMuted: false, groupID: 'g', joining: true });
    actor.send({ type: 'room.preset', roomID: 42, video: true, audioMuted: true });
    await flush();
    expect(calls).toEqual(['exit', 'enter 42 video=true muted=false', 'exit']);
    enters[2]!();
    exits[2]!();
    await flush();
    expect(calls).toEqual(['exit', 'enter 42 video=true muted=false', 'exit', 'enter 42 video=true muted=true']);
    actor.stop();
  });
});

describe('roomBridge: what is left of an earlier enter once a newer one is asked for', () => {
  /** A port whose enters and exits the test settles, in order; `emit` plays a room fact. */
  function slowPort() {
    const calls: string[] = [];
    const settles: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    let listener: (event: RoomEvent) => void = () => undefined;
    const pending = (what: string) => {
      calls.push(what);
      return new Promise<void>((resolve, reject) => settles.push({ resolve, reject }));
    };
    const port = {
      onEvent: (l: (event: RoomEvent) => void) => ((listener = l), () => undefined),
      enter: (roomID: number) => pending(`enter ${roomID}`),
      exit: () => pending('exit'),
    } as unknown as RoomPort;
    return { port, calls, settles, emit: (event: RoomEvent) => listener(event) };
  }

  /** The bridge under a parent that records what it sends back. */
  function bridged(port: RoomPort) {
    const told: string[] = [];
    const parent = createActor(
      setup({ actors: { room: roomBridge(port, { clock: { now: () => 0 } }) } }).createMachine({
        invoke: { id: 'room', src: 'room' },
        on: {
          '*': {
            actions: ({ event }) => told.push(`${event.type}${'userID' in event ? ` ${String(event.userID)}` : ''}`),
          },
        },
      }),
    ).start();
    const room = (parent.getSnapshot().children as Record<string, AnyActorRef>).room!;
    return { told, send: (request: RoomRequest) => room.send(request), stop: () => parent.stop() };
  }

  it('a call enters room 42 and hangs up before the enter is answered; the next call (a join) enters 42 -> the first enter failing, its exit and its facts are not the new call\'s; the new enter\'s are', async () => {
    const { port, calls, settles, emit } = slowPort();
    const { told, send, stop } = bridged(port);
    send({ type: 'room.enter', roomID: 42, userID: 'alice', video: false, audioMuted: false });
    send({ type: 'room.exit', roomID: 42 }); // asked of the port at once, behind the enter
    send({ type: 'room.enter', roomID: 42, userID: 'alice', video: false, audioMuted: false, groupID: 'g', joining: true });
    await flush();
    expect(calls).toEqual(['enter 42', 'exit']);
    emit({ type: 'memberJoined', roomID: 42, userID: 'bob' }); // the first enter's room, before the join runs
    settles[0]!.reject(new Error('no answer from the server in time'));
    settles[1]!.resolve();
    await flush();
    expect(calls).toEqual(['enter 42', 'exit', 'enter 42']);
    expect(told).toEqual([]);
    emit({ type: 'memberJoined', roomID: 42, userID: 'carol' }); // while the join's enter is out: held
    settles[2]!.resolve();
    await flush();
    expect(told).toEqual(['room.entered', 'room.memberJoined carol']);
    emit({ type: 'memberLeft', roomID: 42, userID: 'carol' });
    send({ type: 'room.exit', roomID: 42 });
    await flush();
    settles[3]!.resolve();
    await flush();
    expect(told).toEqual(['room.entered', 'room.memberJoined carol', 'room.memberLeft carol', 'room.exited']);
    stop();
  });

  it('the first enter succeeds after the join asked for its own, and its room\'s facts come while its exit runs -> neither its entry, nor the facts held for it, nor those after it are the new call\'s', async () => {
    const { port, calls, settles, emit } = slowPort();
    const { told, send, stop } = bridged(port);
    send({ type: 'room.enter', roomID: 42, userID: 'alice', video: false, audioMuted: false });
    send({ type: 'room.exit', roomID: 42 });
    send({ type: 'room.enter', roomID: 42, userID: 'alice', video: false, audioMuted: false, groupID: 'g', joining: true });
    await flush();
    emit({ type: 'memberJoined', roomID: 42, userID: 'bob' }); // held for the first enter
    settles[0]!.resolve(); // the first enter is answered: in the room (its exit is behind it)
    await flush();
    emit({ type: 'memberLeft', roomID: 42, userID: 'bob' }); // the first enter's room, as its exit runs
    expect(told).toEqual([]);
    settles[1]!.resolve();
    await flush();
    expect(calls).toEqual(['enter 42', 'exit', 'enter 42']);
    expect(told).toEqual([]);
    settles[2]!.resolve();
    await flush();
    expect(told).toEqual(['room.entered']);
    stop();
  });

  it('the join of the same room is hung up while the first enter is still out -> its exit waits behind its own enter, not asked at once of the port (which would leave the first and stay in the join\'s)', async () => {
    const { port, calls, settles } = slowPort();
    const { told, send, stop } = bridged(port);
    send({ type: 'room.enter', roomID: 42, userID: 'alice', video: false, audioMuted: false });
    send({ type: 'room.exit', roomID: 42 });
    send({ type: 'room.enter', roomID: 42, userID: 'alice', video: false, audioMuted: false, groupID: 'g', joining: true });
    send({ type: 'room.exit', roomID: 42 });
    await flush();
    expect(calls).toEqual(['enter 42', 'exit']);
    settles[0]!.reject(new Error('no answer from the server in time'));
    settles[1]!.resolve();
    await flush();
    expect(calls).toEqual(['enter 42', 'exit', 'enter 42']);
    settles[2]!.resolve();
    await flush();
    expect(calls).toEqual(['enter 42', 'exit', 'enter 42', 'exit']);
    settles[3]!.resolve();
    await flush();
    expect(told).toEqual(['room.entered', 'room.exited']);
    stop();
  });

  it('a dial\'s room claim is refused (the port\'s `failed`) while its enter waits behind the last call\'s exit -> told, though the room\'s other facts are not until the enter runs', async () => {
    const { port, settles, emit } = slowPort();
    const { told, send, stop } = bridged(port);
    send({ type: 'room.enter', roomID: 42, userID: 'alice', video: false, audioMuted: false });
    send({ type: 'room.exit', roomID: 42 });
    send({ type: 'room.enter', roomID: 43, userID: 'alice', video: false, audioMuted: false });
    await flush();
    emit({ type: 'memberJoined', roomID: 43, userID: 'bob' });
    emit({ type: 'failed', roomID: 42, error: new RoomPortError(65535, 'the old room') });
    emit({ type: 'failed', roomID: 43, error: new RoomPortError(-1401, 'room in use') });
    await flush();
    expect(told).toEqual(['room.failed']);
    settles[0]!.resolve();
    settles[1]!.resolve();
    stop();
  });
});
