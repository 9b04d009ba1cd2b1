/**
 * The framework-neutral store: an immutable view of the line and its call, derived purely
 * from the actors' snapshots, with the `getSnapshot` / `subscribe` pair that React's
 * `useSyncExternalStore`, Vue's `shallowRef` and Svelte stores consume directly. The view
 * object is replaced only when something in it changed, so identity comparison is enough.
 */
import type { AnyActorRef, SnapshotFrom } from 'xstate';
import type { CallContext } from '../machines/callModel';
import type { InviteeStatus } from '../machines/inviteeMachine';
import type { lineMachine } from '../machines/lineMachine';
import type { LineConnection } from '../machines/lineModel';
import type { CallType } from '../machines/types';
import { thenable } from './emitter';

export type LineState = 'loggedOut' | 'loggingIn' | 'idle' | 'busy' | 'kickedOut';
export type CallState = 'dialing' | 'ringing' | 'accepting' | 'inCall' | 'ending' | 'ended';

export interface ParticipantView {
  readonly userID: string;
  readonly audio: boolean;
  readonly video: boolean;
}

export interface CallView {
  readonly inviteID: string;
  readonly role: 'caller' | 'callee';
  readonly state: CallState;
  /** The inviter. */
  readonly sponsor: string;
  readonly callType: CallType;
  readonly roomID: number;
  readonly isGroup: boolean;
  readonly groupID: string;
  /** Caller: each invitee and where it stands. */
  readonly invitees: readonly { readonly userID: string; readonly status: InviteeStatus }[];
  /** Remote users in the room now, in order of arrival. */
  readonly participants: readonly ParticipantView[];
  readonly local: { readonly camera: boolean; readonly micMuted: boolean };
}

export interface CallingSnapshot {
  readonly line: LineState;
  readonly userID: string | null;
  /**
   * The IM connection: `connected` while logged in and reachable, `reconnecting` while the backend
   * re-establishes a lost connection (SDK_NOT_READY was emitted; SDK_READY follows when it is back),
   * `disconnected` when logged out, kicked out, or the connection is down. Beyond the seed's API.
   */
  readonly connection: LineConnection;
  readonly call: CallView | null;
}

/** trtc-calling-js's `CALL_STATUS` values, as `getCallStatus()` returns them. */
export type CallStatus = 'idle' | 'calling' | 'connected';

/**
 * The call status of a view, as trtc-calling-js names it: `'connected'` once the call is answered
 * (`call.state` `inCall`), `'calling'` while it is being set up (`dialing`, `ringing`,
 * `accepting`), `'idle'` with no call or once it is over and only leaving the room (`ending`).
 */
export function callStatusOf(view: CallingSnapshot): CallStatus {
  const state = view.call?.state;
  if (state === 'inCall') return 'connected';
  return state === 'dialing' || state === 'ringing' || state === 'accepting' ? 'calling' : 'idle';
}

type LineSnapshot = SnapshotFrom<typeof lineMachine>;

function lineState(snapshot: LineSnapshot): LineState {
  const value = snapshot.value;
  if (typeof value === 'string') return value as LineState;
  return 'online' in value ? (value.online as LineState) : 'loggedOut';
}

function callView(child: AnyActorRef | undefined): CallView | null {
  const snapshot = child?.getSnapshot() as { value: unknown; context: CallContext; status: string } | undefined;
  if (!snapshot || snapshot.status !== 'active') return null;
  const c = snapshot.context;
  // The top-level state (inCall has substates of its own).
  const top = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value as object)[0];
  const state = top === 'starting' ? (c.role === 'caller' ? 'dialing' : 'ringing') : (top as CallState);
  return {
    inviteID: c.inviteID,
    role: c.role,
    state,
    sponsor: c.inviter,
    callType: c.callType,
    roomID: c.roomID,
    isGroup: c.isGroup,
    groupID: c.groupID,
    invitees: Object.entries(c.roster).map(([userID, status]) => ({ userID, status })),
    participants: c.present.map((p) => ({ ...p })),
    local: { camera: c.camera, micMuted: c.micMuted },
  };
}

/** The view of a line actor's snapshot (pure: the same snapshots give an equal view). */
export function selectView(snapshot: LineSnapshot): CallingSnapshot {
  return {
    line: lineState(snapshot),
    userID: snapshot.context.self,
    connection: snapshot.context.connection,
    call: callView(snapshot.children.call as AnyActorRef | undefined),
  };
}

/** Freezes a view and everything in it (its call, lists, entries): a UI that writes to it throws in strict code, and changes nothing. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Holds the current view; `refresh` recomputes it and tells subscribers when it changed. */
export class ViewStore {
  #view: CallingSnapshot;
  readonly #listeners = new Set<() => void>();
  readonly #waiters = new Set<() => void>();
  #closed = false;

  constructor(
    private readonly read: () => LineSnapshot,
    private readonly onListenerError: (error: unknown) => void,
  ) {
    this.#view = deepFreeze(selectView(read()));
  }

  get = (): CallingSnapshot => this.#view;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The instance is destroyed: who waits for a call to end ({@link ViewStore.afterEnding}) waits no more. */
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) waiter();
  }

  /**
   * Resolves once no call is ending (leaving its room: a round trip, at most the call's exit
   * timeout), at once when none is, or when the instance is destroyed: a dial waits for it rather
   * than being refused as a second call, since `hangup()` resolved and the status said `idle`.
   */
  afterEnding(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.#closed && this.#view.call?.state === 'ending') return;
        this.#waiters.delete(check);
        this.#listeners.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      this.#listeners.add(check);
      check();
    });
  }

  refresh(): void {
    const next = selectView(this.read());
    if (equal(next, this.#view)) return;
    this.#view = deepFreeze(next);
    for (const listener of [...this.#listeners]) {
      try {
        const returned: unknown = listener();
        // An async subscriber's exception is its promise's rejection: handled (unhandled, it ends a Node app) and told the same.
        if (thenable(returned)) Promise.resolve(returned).catch((error: unknown) => this.onListenerError(error));
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
