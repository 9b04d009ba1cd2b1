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
import type { ImMessage, ImPort } from './ImPort';
import type { RoomEvent, RoomPort } from './RoomPort';
import { decodeSignal, encodeSignal } from './signalingCodec';

/**
 * Anything a port rejects with, as a `PortError` (65535 = unknown, as in TRTCCalling), the error
 * itself its `cause`: the app gets it as the `CallingError`'s (or ERROR's) `cause`, its fields intact
 * (the embedded client's `serverCode`, the SDK's error below an `ImPortError`).
 */
export function toPortError(error: unknown): PortError {
  const object = typeof error === 'object' && error !== null;
  const code = safely(() => (object && 'code' in error && typeof error.code === 'number' ? error.code : 65535), 65535);
  return { code, message: describeThrown(error), cause: error };
}

/** `read()`, or `fallback` where it throws. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * What was thrown, in words: its `message`, else `String()` of it. A value whose getter or `toString` throws is
 * described as such: read while a signal or an event is told, its exception lost the signal (an unhandled rejection).
 */
export function describeThrown(error: unknown): string {
  return safely(
    () => (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : String(error)),
    'a value that cannot be read',
  );
}

/** `String(value)` (an `Error` as `TypeError: ...`, its class named), or what {@link describeThrown} says where that throws. */
export function stringOf(value: unknown): string {
  return safely(() => String(value), 'a value that cannot be read');
}

export interface BridgeOptions {
  readonly clock: Pick<Clock, 'now'>;
  /** Called with each IM payload the codec refused (a spoofed, foreign or malformed signal). */
  readonly onDropped?: (reason: string, detail: string) => void;
  /** Called with each invitation sent and its send (a dial's promise rejects when it could not go). */
  readonly onInvite?: (inviteID: string, sent: Promise<unknown>) => void;
}

/**
 * The `im` actor: login, logout and signals over an {@link ImPort}.
 *
 * Order and receipts: while a login is in flight, messages are held and passed on right after
 * `im.loggedIn`, in order, so an invitation delivered with the login (an offline one) reaches a
 * line that is online. A message is confirmed to the IM (where the port asks for receipts, see
 * `ImMessage.defer`) only once the line has taken it; one held when the bridge stops is never
 * confirmed, so the IM delivers it again at the next login.
 */
export function imBridge(port: ImPort, options: BridgeOptions) {
  const { clock } = options;
  return fromCallback<ImRequest>(({ sendBack, receive }) => {
    const send = (signal: Signal) => sendBack(signal);
    /** Messages that came while a login was in flight, with their receipts. */
    let held: Array<{ readonly message: ImMessage; readonly taken: (() => void) | undefined }> | null = null;
    // What an async onDropped rejects with is told as what it throws while a login holds messages (unhandled, it ends a Node app).
    const tellDropped = (error: unknown) => console.error('headless-calling: onDropped threw (the calls go on):', error);
    const dropped = (reason: string, detail: string) => {
      const returned: unknown = options.onDropped?.(reason, detail);
      if (returned instanceof Promise) returned.catch(tellDropped);
    };
    const take = (message: ImMessage, taken: (() => void) | undefined) => {
      try {
        const decoded = decodeSignal(message.payload, message.from);
        if (!decoded.ok) dropped(decoded.reason, decoded.detail);
        // A signal of an IM group's call counts only through that group: its groupID is the sender's
        // word, and our answers go to that group (a C2C one could aim our busy answers at every group of ours).
        // But for a group caller's TIMEOUT notice, C2C to those in its call (`withdrawalNotices`): nothing answers it.
        else if (decoded.signal.groupID !== '' && decoded.signal.groupID !== message.groupID && !(decoded.signal.kind === 'timeout' && !message.groupID && message.from === decoded.signal.inviter))
          dropped('senderMismatch', `a ${decoded.signal.kind} for group ${decoded.signal.groupID.slice(0, 64)} did not come through it`);
        else {
          const at = clock.now();
          send({
            type: SIGNAL_EVENT[decoded.signal.kind],
            signal: decoded.signal,
            from: message.from,
            age: Math.max(0, at - message.sentAt),
            at,
          } as ImSignal);
        }
      } finally {
        // Taken: handed to the line (which decides about it), or refused by the codec for good; also
        // when the app's onDropped threw (receipts are cumulative: one never taken holds back every later one).
        taken?.();
      }
    };
    const offMessage = port.onMessage((message) => {
      const taken = message.defer?.();
      if (held) held.push({ message, taken });
      else take(message, taken);
    });
    const offKicked = port.onKickedOut((reason) => send({ type: 'im.kickedOut', reason, at: clock.now() }));
    const offConnection = port.onConnectionChange((state) => send({ type: 'im.connection', state, at: clock.now() }));
    receive((request) => {
      switch (request.type) {
        case 'im.login': {
          const waiting: NonNullable<typeof held> = [];
          held = waiting;
          port.login(request.userID, request.userSig).then(
            () => {
              if (held !== waiting) return; // superseded by a newer login
              held = null;
              send({ type: 'im.loggedIn', at: clock.now() });
              // Every one is taken, whatever the app's onDropped throws. What it throws is told on the console (as a
              // port tells a throwing listener's), not thrown here: nothing handles this promise, and an unhandled
              // rejection ends a Node app's process.
              for (const { message, taken } of waiting) {
                try {
                  take(message, taken);
                } catch (error) {
                  tellDropped(error);
                }
              }
            },
            (error: unknown) => {
              if (held === waiting) held = null; // no session: nothing is confirmed
              send({ type: 'im.loginFailed', error: toPortError(error), at: clock.now() });
            },
          );
          return;
        }
        case 'im.logout':
          held = null;
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
          if (signal.kind === 'invite') options.onInvite?.(signal.inviteID, sent);
          return;
        }
      }
    });
    return () => {
      held = null;
      offMessage();
      offKicked();
      offConnection();
    };
  });
}

/**
 * A room fact as the machine's signal, stamped with the clock's time. A failure's error goes as every
 * port error does ({@link toPortError}): the room's own error is the cause, not the record itself (a
 * `RoomPortError`'s own `cause` is what failed below it).
 */
function roomSignal(event: RoomEvent, at: number): Signal {
  return { ...event, ...(event.type === 'failed' ? { error: toPortError(event.error) } : {}), type: `room.${event.type}`, at } as Signal;
}

/**
 * The `room` actor over a {@link RoomPort}. Requests run one after another, so an exit always
 * completes before the next enter (a glare merge leaves one room for another); one that finds
 * the bridge idle starts at once, so an exit asked for in a page's `pagehide` is written before
 * the page goes, and so is an exit from the room being entered (the port writes it behind the
 * enter). While an enter is in flight, the room's facts about that room are held and
 * passed on right after `room.entered` (dropped if the enter fails): the call hears that it is
 * in the room before it hears who else is.
 *
 * Once a newer `room.enter` is asked for, what is left of the earlier ones is nobody's: the call
 * that asked for them is over (a line starts its next call only then; a call that moves to
 * another room has left the first). Their outcome (`room.entered`, `room.enterFailed`,
 * `room.exited`) and the room's facts until the newer enter runs are not passed on: the next call
 * may be in the same room (joinInGroupCall after a hangup), and would take a stale enter's failure,
 * or an exit that outlived its call, for its own. A media command's outcome is always passed on
 * (named by its `commandId`, its promise waits for it).
 */
export function roomBridge(port: RoomPort, options: BridgeOptions) {
  const { clock } = options;
  return fromCallback<RoomRequest>(({ sendBack, receive }) => {
    const send = (signal: Signal) => sendBack(signal);
    const waiting: Array<() => Promise<unknown>> = [];
    let running = false;
    const next = (): void => {
      const job = waiting.shift();
      running = job !== undefined;
      if (!job) return;
      let done: Promise<unknown>;
      try {
        done = job();
      } catch (error) {
        done = Promise.reject(error);
      }
      done.then(next, next);
    };
    const run = (job: () => Promise<unknown>) => {
      waiting.push(job);
      if (!running) next();
    };
    type Enter = { readonly roomID: number; readonly ours: number; readonly held: RoomEvent[]; media: { readonly video: boolean; readonly audioMuted: boolean } };
    let entering: Enter | null = null;
    /** The newest `room.enter` asked for (run, running or waiting its turn). */
    let newest: Enter | null = null;
    /** `room.enter`s asked for, and started: the newest asked is the only one whose room is anybody's. */
    let asked = 0;
    let started = 0;
    const off = port.onEvent((event) => {
      if (entering?.roomID === event.roomID) entering.held.push(event);
      // A refused room claim (`failed`) is the newest enter's also while that enter waits its turn: it ends the dial.
      else if (started === asked || (event.type === 'failed' && event.roomID === newest?.roomID)) send(roomSignal(event, clock.now()));
    });
    receive((request) => {
      const { roomID } = request;
      switch (request.type) {
        case 'room.enter': {
          const ours = ++asked;
          const mine: Enter = { roomID, ours, held: [], media: { video: request.video, audioMuted: request.audioMuted } };
          newest = mine;
          const settle = (entered: boolean) => {
            if (entering === mine) entering = null;
            if (!entered || ours !== asked) return;
            for (const event of mine.held) send(roomSignal(event, clock.now()));
          };
          run(() => {
            started = ours;
            entering = mine;
            const { userID, participants, groupID, joining } = request;
            // What a preset said while this enter waited its turn (see `room.preset`).
            const { video, audioMuted } = mine.media;
            const extra = {
              ...(participants ? { participants } : {}),
              ...(groupID === undefined ? {} : { groupID }),
              ...(joining ? { joining } : {}),
            };
            return port.enter(roomID, { userID, video, audioMuted, ...extra }).then(
              () => {
                if (ours === asked) send({ type: 'room.entered', roomID, at: clock.now() });
                settle(true);
              },
              (error: unknown) => {
                settle(false);
                if (ours === asked) send({ type: 'room.enterFailed', roomID, error: toPortError(error), at: clock.now() });
              },
            );
          });
          return;
        }
        case 'room.exit': {
          const tenancy = asked;
          const exited = () => void (tenancy === asked && send({ type: 'room.exited', roomID, at: clock.now() }));
          const leave = () => port.exit().then(exited, exited);
          // Leaving the room being entered: asked of the port now (it keeps the two in order), so
          // that a page closing now still leaves the room; later requests wait for it. Not when a
          // newer enter of that room waits behind it (a join of the room of a call just over): the
          // port would leave the older one, and the newer, run next, would stay in the room.
          if (entering?.roomID === roomID && entering.ours === asked) {
            const leaving = leave();
            run(() => leaving);
          } else run(leave);
          return;
        }
        case 'room.forget':
          port.forgetInvitation?.(roomID);
          return;
        case 'room.preset':
          // At once, not after the enter it concerns: its capture lands as the user wants now. Only the
          // newest enter's: one waiting its turn (behind an exit, or an older enter of the same room) starts so.
          if (newest?.roomID !== roomID) return;
          newest.media = { video: request.video, audioMuted: request.audioMuted };
          if (entering === newest) port.preset?.(newest.media);
          return;
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
