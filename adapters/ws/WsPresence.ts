/**
 * Who is online, from the embedded server's presence feed (servers started with `--presence`;
 * see server/presence.ts for the policy). Not part of the TRTCCalling API: an addition of the
 * embedded backend, for apps that show a list of people to call.
 *
 * ```ts
 * const backend = webrtcBackend({ url });
 * const stop = backend.presence.subscribe(({ state, online }) => render(state, online));
 * ```
 *
 * The feed is asked for while someone listens and the connection is logged in, and asked for
 * again after every reconnection (the server forgets subscriptions with their connection).
 */
import type { UserID } from '../../machines/types';
import type { ConnectionState, Unsubscribe } from '../ImPort';
import { handled, Listeners } from './listeners';
import type { PushFrame } from './protocol';
import type { WsConnection } from './WsConnection';
import { WsPortError } from './errors';

/**
 * What the feed says now:
 * - `idle`: nobody listens, or not logged in;
 * - `connecting`: asked for (or reconnecting), no answer yet;
 * - `live`: `online` is current;
 * - `unavailable`: the server offers no presence feed (started without `--presence`).
 */
export type PresenceState = 'idle' | 'connecting' | 'live' | 'unavailable';

/** A snapshot of the presence feed. */
export interface PresenceView {
  readonly state: PresenceState;
  /** Users of the same app online now (never the logged-in user), in the order they came online. */
  readonly online: readonly UserID[];
}

/** The presence feed of one embedded-backend client. */
export class WsPresence {
  private current: PresenceView = { state: 'idle', online: [] };
  /** `current.online` as a set, once asked for ({@link WsPresence.isOnline}). */
  private index: Set<UserID> | null = null;
  private readonly listeners: Listeners<PresenceView>;
  private count = 0;

  constructor(
    private readonly connection: WsConnection,
    private readonly onListenerError: (error: unknown) => void = (error) => console.error(error),
  ) {
    this.listeners = new Listeners(onListenerError);
    connection.pushes.add((frame) => this.onPush(frame));
    connection.states.add((state) => this.onConnection(state));
  }

  /** The feed now. */
  get view(): PresenceView {
    return this.current;
  }

  /** Whether `userID` is online now (false while the feed is not `live`). */
  isOnline(userID: UserID): boolean {
    // A set of the list, made once per view: an app asking for each of its contacts costs one pass, not one each.
    this.index ??= new Set(this.current.online);
    return this.current.state === 'live' && this.index.has(userID);
  }

  /**
   * Calls `listener` with the feed now and after every change, until the returned function is
   * called. The first listener starts the feed; the last one to leave stops it.
   */
  subscribe(listener: (view: PresenceView) => void): Unsubscribe {
    handled(listener(this.current), this.onListenerError);
    const remove = this.listeners.add(listener);
    this.count++;
    if (this.count === 1 && this.connection.ready) this.ask();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      remove();
      this.count--;
      if (this.count > 0) return;
      if (this.connection.ready) this.connection.request({ type: 'presenceUnsubscribe' }).catch(() => undefined);
      this.set({ state: 'idle', online: [] });
    };
  }

  private ask(): void {
    if (this.current.state !== 'live') this.set({ state: 'connecting', online: this.current.online });
    this.connection.request({ type: 'presenceSubscribe' }).then(
      () => undefined,
      (error: unknown) => {
        if (this.count === 0) return;
        if (error instanceof WsPortError && error.serverCode === 'presenceOff') this.set({ state: 'unavailable', online: [] });
        // Otherwise the connection went away: the next 'connected' asks again.
      },
    );
  }

  private onConnection(state: ConnectionState): void {
    if (this.count === 0) return;
    if (state === 'connected') return this.ask();
    if (state === 'connecting') return this.set({ state: 'connecting', online: this.current.online });
    this.set({ state: 'idle', online: [] });
  }

  private onPush(frame: PushFrame): void {
    if (frame.type !== 'presence' || this.count === 0) return;
    const self = this.connection.userID;
    if (frame.snapshot) {
      this.set({ state: 'live', online: frame.online.filter((u) => u !== self) });
      return;
    }
    // Linear in the list and the frame (a frame batches every change of its window: many users at once).
    const gone = new Set(frame.offline);
    const online = this.current.online.filter((u) => !gone.has(u));
    const listed = new Set(online);
    for (const u of frame.online) {
      if (u === self || listed.has(u)) continue;
      listed.add(u);
      online.push(u);
    }
    this.set({ state: this.current.state, online });
  }

  private set(view: PresenceView): void {
    const same = view.state === this.current.state && view.online.length === this.current.online.length && view.online.every((u, i) => u === this.current.online[i]);
    if (same) return;
    this.current = view;
    this.index = null;
    this.listeners.emit(view);
  }
}
