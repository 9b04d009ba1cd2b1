/** Room ports for scenario tests: a real room with some of its steps replaced. */
import type { RoomPort } from '../../src/index';

/** A port doing what `room` does (its required steps), but for `overrides`. */
export function forwardingRoom(room: RoomPort, overrides: Partial<RoomPort>): RoomPort {
  return {
    enter: (roomID, options) => room.enter(roomID, options),
    exit: () => room.exit(),
    setCamera: (on) => room.setCamera(on),
    setMicMuted: (muted) => room.setMicMuted(muted),
    startLocalView: (id) => room.startLocalView(id),
    stopLocalView: (id) => room.stopLocalView(id),
    startRemoteView: (u, id) => room.startRemoteView(u, id),
    stopRemoteView: (u, id) => room.stopRemoteView(u, id),
    onEvent: (listener) => room.onEvent(listener),
    ...overrides,
  };
}

/**
 * `room` with every step its own, but a capture (`prepare`) that waits until `release()` (a
 * permission prompt still up); `asked()` says whether one waits.
 */
export function heldCapture(room: RoomPort): { room: RoomPort; asked: () => boolean; release: () => void } {
  let land: (() => void) | null = null;
  const held = new Proxy(room, {
    get(target, prop) {
      if (prop === 'prepare')
        return async (options: { video: boolean }) => {
          await new Promise<void>((resolve) => (land = resolve));
          return target.prepare?.(options);
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { room: held, asked: () => land !== null, release: () => land?.() };
}
