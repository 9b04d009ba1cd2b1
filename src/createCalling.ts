/**
 * The composition root: the only place that picks defaults for time and identity, and wires
 * a backend's ports into the line machine through the bridge actors.
 */
import { type Actor, type InspectionEvent, type Observer, createActor } from 'xstate';
import type { Backend } from '../adapters/backend';
import { imBridge, roomBridge } from '../adapters/bridges';
import { type Clock, realClock } from '../adapters/clock';
import type { CallContext } from '../machines/callModel';
import { endedNotice } from '../machines/callSignals';
import type { Notice } from '../machines/events';
import { type LineConfig, lineMachine } from '../machines/lineMachine';
import type { Invitations } from './callSetup';
import { toldOnce } from './toldOnce';

export interface CallingSetup {
  readonly backend: Backend;
  // Each optional field takes `undefined` as no value (an app's `inspect: dev ? inspector : undefined` under
  // `exactOptionalPropertyTypes`).
  /** Overrides the backend's clock (else real time). */
  readonly clock?: Clock | undefined;
  /** Any XState inspection observer (e.g. from `@statelyai/inspect`). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  /** The line's tunable durations (the backend sets the rest of `LineConfig`). */
  readonly config?: Partial<Pick<LineConfig, 'noAnswerGraceMs' | 'exitTimeoutMs' | 'aloneTimeoutMs' | 'leaveGraceMs' | 'missingMemberMs'>> | undefined;
  /** Called with IM payloads the codec refused (spoofed, foreign or malformed). */
  readonly onDropped?: ((reason: string, detail: string) => void) | undefined;
  /** The facade's own observer of every actor's changes (runs before `inspect`). */
  readonly observe?: ((event: InspectionEvent) => void) | undefined;
}

/**
 * Calls the facade's observer, then the user's inspector (an observer object or a function). The inspector runs
 * inside the line's step: what it throws stays here (thrown out of XState's mailbox, it stopped every later event
 * of the instance), reported once on the console, as a dev tool's fault.
 */
function inspector(setup: CallingSetup): ((event: InspectionEvent) => void) | undefined {
  const { observe, inspect } = setup;
  if (!observe && !inspect) return undefined;
  const user = toldOnce((event: InspectionEvent) => (typeof inspect === 'function' ? inspect(event) : inspect?.next?.(event)));
  return (event) => {
    observe?.(event);
    user(event);
  };
}

export interface Calling {
  readonly actor: Actor<typeof lineMachine>;
  readonly clock: Clock;
  readonly newInviteID: () => string;
  readonly newRoomID: () => number;
  /**
   * Runs `command`, which sends invitations `inviteIDs`, and resolves once it is done with each one's send
   * (`undefined` for one it did not send) and the call it sent them for; rejects as the command does.
   */
  readonly sendInvites: (inviteIDs: readonly string[], command: () => Promise<unknown>) => Promise<Invitations>;
}

/** A v4 UUID, as TSignaling makes them. */
const randomInviteID = () => globalThis.crypto.randomUUID();
/**
 * The largest room ID we create. TRTC takes 1..4294967294, but Tencent's own web client joins
 * `~~roomID` (a signed 32-bit conversion): from 2^31 on, a callee on it could not join.
 */
export const MAX_ROOM_ID = 2 ** 31 - 1;

/**
 * A random room ID in 1..{@link MAX_ROOM_ID}, uniform, from the platform's cryptographic
 * generator (`crypto.getRandomValues`, in browsers and Node alike): room IDs travel in
 * invitations, and a guessable sequence would let anyone predict the next call's room.
 */
export const randomRoomID = (): number => {
  const word = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(word);
    const id = (word[0] as number) & MAX_ROOM_ID; // the low 31 bits: 0..2^31-1, uniform
    if (id !== 0) return id; // 0 is no room ID: draw again
  }
};

/** Builds the (not yet started) line actor for one TRTCCalling instance. */
export function createCalling(setup: CallingSetup): Calling {
  const { backend } = setup;
  const clock = setup.clock ?? backend.clock ?? realClock;
  // The sends of the invitations a command in flight sends (each of a large group call's), and no other.
  const watched = new Map<string, Promise<unknown> | undefined>();
  const onInvite = (inviteID: string, sent: Promise<unknown>) => {
    if (watched.has(inviteID)) watched.set(inviteID, sent);
  };
  const bridgeOptions = { clock, onInvite, ...(setup.onDropped ? { onDropped: setup.onDropped } : {}) };
  const machine = lineMachine.provide({
    actors: { im: imBridge(backend.im, bridgeOptions), room: roomBridge(backend.room, bridgeOptions) },
  });
  const actor = createActor(machine, {
    clock,
    // Calls find the line by this ID to hand it their notices.
    systemId: 'line',
    input: backend.multiDevice ? { ...setup.config, multiDevice: true, busyHeld: backend.busyHeld === true } : (setup.config ?? {}),
    ...(inspector(setup) ? { inspect: inspector(setup) } : {}),
  });
  return {
    actor,
    clock,
    newInviteID: backend.inviteIdGen ?? randomInviteID,
    newRoomID: backend.roomIdGen ?? randomRoomID,
    sendInvites: async (inviteIDs, command) => {
      for (const id of inviteIDs) watched.set(id, undefined);
      try {
        await command();
        // The call of the command (made by the dial, or the live one invited into), not the line's next one.
        const call = actor.getSnapshot().children.call;
        return { sends: inviteIDs.map((id) => watched.get(id)), over: (unreached) => callOver(actor, unreached, call) };
      } finally {
        for (const id of inviteIDs) watched.delete(id);
      }
    },
  };
}

/**
 * The `call.ended` of a call that is ending (its `hangup()` resolved, its room exit not done yet), as it will be told
 * once the exit is done: `destroy()` tells it before it silences the instance, so that `await hangup(); destroy()`
 * does not lose the call's `CALL_END`. None without such a call.
 */
export function endingNotices(actor: Actor<typeof lineMachine>): Notice[] {
  const call = actor.getSnapshot().children.call?.getSnapshot();
  const ended = call?.value === 'ending' ? endedNotice(call.context as CallContext) : null;
  return ended ? [ended] : [];
}

/** Resolves once the line is logged out (or kicked out): its call has ended and its IM session is closed. */
export function loggedOut(actor: Actor<typeof lineMachine>): Promise<void> {
  return lineReaches(actor, () => {
    const { value } = actor.getSnapshot();
    return value === 'loggedOut' || value === 'kickedOut';
  });
}

/**
 * Resolves once `call` (the line's call of now) is over (at once without one): its CALL_END, if it has one, was told;
 * or, given `unreached` (invitees whose invite could not be sent), once none of them waits as unreached (its
 * NO_RESP told a turn later: see `inviteeMachine`).
 */
export function callOver(actor: Actor<typeof lineMachine>, unreached?: readonly string[], call = actor.getSnapshot().children.call): Promise<void> {
  const waits = (u: string) => call?.getSnapshot().children[`invitee:${u}`]?.getSnapshot().value === 'unreached';
  return lineReaches(actor, () => call === undefined || actor.getSnapshot().children.call !== call || (unreached !== undefined && !unreached.some(waits)));
}

function lineReaches(actor: Actor<typeof lineMachine>, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (done()) return resolve();
    const subscription = actor.subscribe({
      next: () => {
        if (!done()) return;
        subscription.unsubscribe();
        resolve();
      },
      error: () => resolve(),
      complete: () => resolve(),
    });
  });
}
