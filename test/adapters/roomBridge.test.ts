/**
 * The `room` actor over a port (`roomBridge`): a camera or microphone change made while an enter
 * is under way reaches the port at once (`preset`), not behind the enter like `setCamera` /
 * `setMicMuted`, so a capture landing meanwhile lands as the user wants it (WebRTC).
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { roomBridge } from '../../adapters/bridges';
import type { RoomPort } from '../../adapters/RoomPort';

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
