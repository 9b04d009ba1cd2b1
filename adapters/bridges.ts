/**
 * Bridge actors: the only place where ports meet machines. Each is an XState callback actor
 * that the line machine invokes as `im` or `room`: it turns requests into port calls and
 * port callbacks into signals, stamped with the clock's time. Bridges decide nothing; a
 * port's failure becomes a signal the machine decides about.
 */
import { fromCallback } from 'xstate';
import { SIGNAL_EVENT, type ImRequest, type ImSignal, type RoomRequest, type Signal } from '../machines/events';
import type { PortError } from '../machines/types';
import type { Clock } from './clock';
import type { ImPort } from './ImPort';
import type { RoomEvent, RoomPort } from './RoomPort';
import { decodeSignal, encodeSignal } from './signalingCodec';

/** Anything a port rejects with, as a `PortError` (65535 = unknown, as in TRTCCalling). */
export function toPortError(error: unknown): PortError {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') {
    const message = 'message' in error && typeof error.message === 'string' ? error.message : String(error);
    return { code: error.code, message };
  }
  return { code: 65535, message: error instanceof Error ? error.message : String(error) };
}

export interface BridgeOptions {
  readonly clock: Pick<Clock, 'now'>;
  /** Called with each IM payload the codec refused (a spoofed, foreign or malformed signal). */
  readonly onDropped?: (reason: string, detail: string) => void;
}

/** The `im` actor: login, logout and signals over an {@link ImPort}. */
export function imBridge(port: ImPort, options: BridgeOptions) {
  const { clock } = options;
  return fromCallback<ImRequest>(({ sendBack, receive }) => {
    const send = (signal: Signal) => sendBack(signal);
    const offMessage = port.onMessage((message) => {
      const decoded = decodeSignal(message.payload, message.from);
      if (!decoded.ok) {
        options.onDropped?.(decoded.reason, decoded.detail);
        return;
      }
      const at = clock.now();
      send({
        type: SIGNAL_EVENT[decoded.signal.kind],
        signal: decoded.signal,
        from: message.from,
        age: Math.max(0, at - message.sentAt),
        at,
      } as ImSignal);
    });
    const offKicked = port.onKickedOut((reason) => send({ type: 'im.kickedOut', reason, at: clock.now() }));
    receive((request) => {
      switch (request.type) {
        case 'im.login':
          port.login(request.userID, request.userSig).then(
            () => send({ type: 'im.loggedIn', at: clock.now() }),
            (error: unknown) => send({ type: 'im.loginFailed', error: toPortError(error), at: clock.now() }),
          );
          return;
        case 'im.logout':
          // Logging out cannot usefully fail: the session is over either way.
          port.logout().catch(() => undefined);
          return;
        case 'im.send': {
          const { to, signal } = request;
          const payload = encodeSignal(signal);
          const sendOptions = { onlineUserOnly: request.onlineUserOnly };
          const sent =
            'groupID' in to
              ? port.sendToGroup(to.groupID, payload, sendOptions)
              : Promise.all(to.users.map((user) => port.sendToUser(user, payload, sendOptions)));
          sent.catch((error: unknown) =>
            send({ type: 'im.sendFailed', inviteID: signal.inviteID, kind: signal.kind, error: toPortError(error), at: clock.now() }),
          );
          return;
        }
      }
    });
    return () => {
      offMessage();
      offKicked();
    };
  });
}

function roomSignal(event: RoomEvent, at: number): Signal {
  switch (event.type) {
    case 'userEntered':
      return { type: 'room.userEntered', roomID: event.roomID, userID: event.userID, at };
    case 'userLeft':
      return { type: 'room.userLeft', roomID: event.roomID, userID: event.userID, at };
    case 'audioAvailable':
      return { type: 'room.audioAvailable', roomID: event.roomID, userID: event.userID, available: event.available, at };
    case 'videoAvailable':
      return { type: 'room.videoAvailable', roomID: event.roomID, userID: event.userID, available: event.available, at };
    case 'failed':
      return { type: 'room.failed', roomID: event.roomID, error: event.error, at };
  }
}

/**
 * The `room` actor over a {@link RoomPort}. Requests run one after another, so an exit
 * always completes before the next enter (a glare merge leaves one room for another).
 */
export function roomBridge(port: RoomPort, options: BridgeOptions) {
  const { clock } = options;
  return fromCallback<RoomRequest>(({ sendBack, receive }) => {
    const send = (signal: Signal) => sendBack(signal);
    let queue: Promise<unknown> = Promise.resolve();
    const run = (job: () => Promise<unknown>) => {
      queue = queue.then(job, job);
    };
    const off = port.onEvent((event) => send(roomSignal(event, clock.now())));
    receive((request) => {
      const { roomID } = request;
      switch (request.type) {
        case 'room.enter':
          run(() =>
            port.enter(roomID, { userID: request.userID, video: request.video, audioMuted: request.audioMuted, participants: request.participants }).then(
              () => send({ type: 'room.entered', roomID, at: clock.now() }),
              (error: unknown) => send({ type: 'room.enterFailed', roomID, error: toPortError(error), at: clock.now() }),
            ),
          );
          return;
        case 'room.exit': {
          const exited = () => send({ type: 'room.exited', roomID, at: clock.now() });
          run(() => port.exit().then(exited, exited));
          return;
        }
        case 'room.setCamera':
        case 'room.setMic': {
          const media = request.type === 'room.setCamera' ? 'camera' : 'mic';
          const { commandId } = request;
          run(() =>
            (request.type === 'room.setCamera' ? port.setCamera(request.on) : port.setMicMuted(request.muted)).then(
              () => send({ type: 'room.mediaDone', roomID, commandId, media, at: clock.now() }),
              (error: unknown) =>
                send({ type: 'room.mediaFailed', roomID, commandId, media, error: toPortError(error), at: clock.now() }),
            ),
          );
          return;
        }
      }
    });
    return off;
  });
}
