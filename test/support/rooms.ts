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
