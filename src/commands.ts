/**
 * The facade's commands to the line machine: each gets an id, goes to the actor, and its promise
 * settles with the `command.settled` notice of that id. And what the public methods resolve with.
 */
import type { Command, CommandError } from '../machines/events';
import { CallingError, ERROR_CODE, InvalidStateError } from './errors';
import type { CallView } from './store';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command as a method writes it: the channel adds its id and time. */
export type CommandBody = DistributiveOmit<Command, 'id' | 'at'>;

interface Pending {
  readonly method: string;
  /** `done`: false when the command had nothing to do (accept() with nothing ringing). */
  readonly resolve: (done: boolean) => void;
  readonly reject: (error: CallingError) => void;
}

/** Commands in flight to the line, by id. */
export class Commands {
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #closed = false;
  /** `destroy()` began: only a `hangup()` goes (a clean-up in the listeners of the CALL_END it tells), until {@link close}. */
  #closing = false;
  #dials = 0;
  /** The dials `hangup()`s cancelled, as ranges of their numbers (`from` excluded, `to` included); the last few. */
  #cancelled: (readonly [number, number])[] = [];
  /** The dials begun by the time the last call's `CALL_END` was told (see {@link Commands.hangup}). */
  #endedAt = 0;
  /** How deep in telling an event: a `hangup()` a listener makes (see {@link Commands.told}). */
  #telling = 0;
  /** What methods wait for past their commands ({@link Commands.until}): refused at `close()`. */
  readonly #waits = new Set<() => void>();

  constructor(
    private readonly post: (command: Command) => void,
    private readonly now: () => number,
  ) {}

  /** Sends a command; resolves once it is done (or had nothing to do), rejects with its refusal. */
  send(method: string, body: CommandBody): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#post(method, body, () => resolve(), reject));
  }

  /** {@link Commands.send}, resolving with whether it did anything. */
  command(method: string, body: CommandBody): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => this.#post(method, body, resolve, reject));
  }

  /**
   * A dial begins (`call()`, `groupCall()`, `joinInGroupCall()`): its number. Until its command goes
   * (after the previous call's exit and the capture) the line knows nothing of it, so a `hangup()`
   * meanwhile cancels it here ({@link Commands.hangup}), as the spec's hangup() cancels a call
   * not yet connected.
   */
  openDial(): number {
    return ++this.#dials;
  }

  /**
   * `hangup()`. Once the line took it (not refused: a ringing call's `hangup()` is), the dials begun
   * before it whose command has not gone are cancelled, but:
   * - not by one an event's listener makes ({@link Commands.told}): that one reacts to the call, an
   *   app's clean-up after its end, say;
   * - one that found no call to end (`done` false: the last call is over) spares the dials begun while
   *   that call still ended: they waited for its exit, the user's next call, and this `hangup()` is
   *   taken as a clean-up after the call that ended (an async listener's, after an `await`).
   */
  hangup(): Promise<void> {
    const upTo = this.#telling > 0 ? 0 : this.#dials;
    const cancel = (done: boolean) => {
      const from = done ? 0 : this.#endedAt;
      if (upTo > from) this.#cancelled = [...this.#cancelled, [from, upTo] as const].slice(-8);
    };
    return new Promise<void>((resolve, reject) => this.#post('hangup', { type: 'call.hangup' }, (done) => (cancel(done), resolve()), reject));
  }

  /**
   * Tells an event (`emit`; `callEnd`: a call's `CALL_END`): a `hangup()` its listeners make cancels no dial.
   * Every event goes through it, the facade's own too (DEVICED_UPDATED, device ERRORs, media stats).
   */
  told(emit: () => void, callEnd: boolean): void {
    if (callEnd) this.#endedAt = this.#dials;
    this.#telling++;
    try {
      emit();
    } finally {
      this.#telling--;
    }
  }

  /** Whether dial `n` may still go (no `hangup()` cancelled it). */
  dialLive(n: number): boolean {
    return !this.#cancelled.some(([from, to]) => n > from && n <= to);
  }

  /** Sends dial `n`'s command; one a `hangup()` cancelled rejects (reason `cancelled`) and nothing is sent. */
  dial(n: number, method: string, body: CommandBody): Promise<void> {
    if (this.dialLive(n)) return this.send(method, body);
    return Promise.reject(new CallingError(ERROR_CODE.INVALID_STATE, 'cancelled', `${method}: hangup() cancelled it before it was dialled`));
  }

  /**
   * What `method` waits for past its command (its invitations' sends, the end of the call they were for): its
   * outcome, or `InvalidStateError` "destroyed" once the instance is, as a pending command's (the IM may answer
   * the sends long after, or never). `late`: what to do with a value the wait yields once the instance was
   * destroyed (devices captured after it: released), as nobody will take it; what it throws has no caller to reject
   * and is told on the console (unhandled, that rejection ended a Node app).
   */
  until<T>(method: string, wait: Promise<T>, late?: (value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const refuse = () => reject(new InvalidStateError(method, 'destroyed'));
      this.#waits.add(refuse);
      const take = (value: T) => {
        if (!this.#closed) return resolve(value);
        try {
          late?.(value);
        } catch (error) {
          console.error(`headless-calling: ${method}: releasing after destroy() threw:`, error);
        }
      };
      wait.then(take, reject).finally(() => this.#waits.delete(refuse));
      if (this.#closed) refuse();
    });
  }

  /** The command `id` settled: with `error`, or done (`done` false: it had nothing to do). */
  settle(id: number, error: CommandError | undefined, done: boolean): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (!error) pending.resolve(done);
    else if (error.kind === 'state') pending.reject(new InvalidStateError(pending.method, error.reason));
    else if (error.kind === 'refused') pending.reject(new CallingError(error.code, 'refused', `${pending.method}: ${error.reason}`));
    // The backend's own error as the cause: its fields (the embedded server's `serverCode`) survive, not only its message.
    else pending.reject(new CallingError(error.code, 'backend', `${pending.method}: ${error.reason}`, { cause: error.cause }));
  }

  /** The instance is being destroyed: every later command is refused but a `hangup()` (see {@link close}). */
  closing(): void {
    this.#closing = true;
  }

  /** The instance is destroyed: every pending command and every later one is refused; returns an id for its last command. */
  close(): number {
    this.#closed = true;
    for (const [, pending] of this.#pending) pending.reject(new InvalidStateError(pending.method, 'destroyed'));
    this.#pending.clear();
    for (const refuse of [...this.#waits]) refuse();
    return this.#next++;
  }

  #post(method: string, body: CommandBody, resolve: (done: boolean) => void, reject: (error: CallingError) => void): void {
    if (this.#closed || (this.#closing && body.type !== 'call.hangup')) return reject(new InvalidStateError(method, 'destroyed'));
    const id = this.#next++;
    this.#pending.set(id, { method, resolve, reject });
    this.post({ ...body, id, at: this.now() } as Command);
  }
}

/**
 * trtc-calling-js's per-call offline push texts (TSignaling's `offlinePushInfo`), in `call()` and `groupCall()` (and
 * TUICallEngine's `inviteUser()`): taken, so its app code compiles and runs, and ignored. The push texts are the
 * backend's, the same for every invitation (`tencentBackend({ offlinePushInfo })`); the other backends push nothing.
 */
export interface OfflinePushInfo {
  readonly title?: string;
  readonly description?: string;
  readonly androidOPPOChannelID?: string;
  readonly extension?: string;
}

/** What `call()` resolves with: its invitation, as trtc-calling-js's (which adds the IM's own message). */
export interface CallResult {
  readonly code: 0;
  readonly inviteID: string;
  readonly roomID: number;
  readonly userID: string;
}

/** What `accept()` and `reject()` resolve with when they answered an invitation (nothing when none rang). */
export interface AnswerResult {
  readonly code: 0;
  readonly inviteID: string;
  readonly roomID: number;
  readonly callType: 1 | 2;
}

/**
 * What `groupCall()` and `inviteUser()` resolve with (code 0: the call goes on). `data` names each user in the order
 * given, with its invitation: `code` 0 when the IM took it (or it had one in the call already), else the IM's code and
 * the `error` (reason `notSent`). Through an IM group the invitees of a new call share its one invitation; into a
 * live call each new one has its own, however the call was made.
 */
export interface GroupCallResult {
  readonly code: 0;
  readonly inviteID: string;
  readonly roomID: number;
  readonly groupID: string;
  readonly data: readonly { readonly code: number; readonly inviteID: string; readonly userID: string; readonly error?: CallingError }[];
}

/** The invitation a call answered, as accept() and reject() resolve with it. */
export const answerOf = (call: CallView): AnswerResult => ({ code: 0, inviteID: call.inviteID, roomID: call.roomID, callType: call.callType });

/** `groupCall()`'s (and `inviteUser()`'s) result: `data` names each user's invitation and its send's refusal, if any. */
export function groupCallResult(
  inviteID: string,
  roomID: number,
  groupID: string,
  userIDs: readonly string[],
  inviteIDs: readonly string[],
  refusals: readonly (CallingError | null)[],
): GroupCallResult {
  const data = userIDs.map((userID, i) => {
    const error = refusals[i];
    // Never 0 for one that did not go (an IM that rejects with code 0).
    return { code: error ? error.code || ERROR_CODE.UNKNOWN : 0, inviteID: inviteIDs[i] ?? inviteID, userID, ...(error ? { error } : {}) };
  });
  return { code: 0, inviteID, roomID, groupID, data };
}
