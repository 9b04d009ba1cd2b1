/**
 * What a call needs from its room before, or while, its first signal goes out: its devices
 * (the room's `prepare`) and its room ID (the room's `reserve`). Refusals become the API's typed
 * errors: `CallingError` with the port's code (60003-60006 for devices) and an `ERROR` event.
 *
 * Where the room captures while it enters (`RoomPort.capturesWhileEntering`, WebRTC) the capture
 * runs while the invitation or the answer travels (call setup, issue 14): one that has already
 * failed when the signal would go stops it, so nobody is invited (`call()` and `groupCall()` also
 * ask the browser first whether a device is blocked for the page, `RoomPort.permissionDenied`, so
 * a "Block" chosen earlier invites nobody; `accept()` and `joinInGroupCall()` signal at once); one
 * that fails later fails the room's enter, and the call
 * machine ends the call (`ERROR`, `CALL_END` with reason `error`, the others told); the command
 * then rejects with the same code once the call is over.
 */
import { toPortError } from '../adapters/bridges';
import type { RoomPort } from '../adapters/RoomPort';
import { CallingError, ERROR_CODE, InvalidParameterError } from './errors';
import type { EventPayloads } from './events';

/** A port's rejection as a code (65535 when it has none) and a message (read as the bridges do: a getter that throws stops nothing). */
export const portFailure = (error: unknown): { code: number; message: string } => toPortError(error);

/**
 * Runs `method`'s room port action; its failure becomes a `CallingError` with the port's code, an
 * `InvalidParameterError` where the port refused a parameter (-1202: an element id naming no element).
 */
export async function fromPort<T>(method: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const { code, message } = portFailure(error);
    if (code === ERROR_CODE.INVALID_PARAMETER) throw new InvalidParameterError(method, message, { cause: error });
    throw new CallingError(code, 'backend', message, { cause: error });
  }
}

/** The devices of a call being set up (see {@link CallSetup.media}). */
export interface CallMedia {
  /** Throws the typed error (`ERROR` told) when the capture has failed already: send nothing then. */
  check(): void;
  /**
   * After the signal: resolves once the devices are captured; rejects with the typed error once
   * the call their failure ended is over (its `ERROR` and `CALL_END` came from the call).
   */
  captured(): Promise<void>;
  /** The command was refused or found nothing to answer: the devices captured for it are released. */
  drop(): void;
}

const READY: CallMedia = { check: () => undefined, captured: async () => undefined, drop: () => undefined };

/** The command's outcome; its devices are released ({@link CallMedia.drop}) if it is refused. */
export async function orDrop<T>(media: CallMedia, command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (error) {
    media.drop();
    throw error;
  }
}

/** A command's invitations: each one's send (`undefined`: not sent), and when the call they were sent for is over (see `callOver`). */
export interface Invitations {
  readonly sends: readonly (Promise<unknown> | undefined)[];
  readonly over: (unreached?: readonly string[]) => Promise<void>;
}

/** A room claim written and not waited for (see {@link CallSetup.claim}). */
export interface RoomClaim {
  readonly roomID: number;
  /** Resolves once the server took the claim; throws the command's typed error if it refused it. */
  settled(): Promise<void>;
}

/** The room-side steps of `call()`, `groupCall()`, `accept()` and `joinInGroupCall()`. */
export class CallSetup {
  /** Captures asked of the room: a command's `drop` releases only when no later one was asked. */
  private prepares = 0;

  constructor(
    private readonly room: RoomPort,
    /** Tells `ERROR` (`{ code, msg, cause }`: the room's error its cause). */
    private readonly error: (payload: EventPayloads['onError']) => void,
    /** Resolves once the line's call now is over (see `callOver`). */
    private readonly callOver: () => Promise<void>,
  ) {}

  /**
   * Acquires the devices of a call about to be signalled, where the room can (WebRTC, memory),
   * so a missing or refused camera or microphone fails the command with the spec's code. Where
   * the room captures while it enters, the capture only starts here (see the module's notes).
   * Skipped when the command is going to be refused anyway (`willRun` false): the machine says why.
   */
  async media(method: string, willRun: boolean, video: boolean, dialling = false): Promise<CallMedia> {
    const { room } = this;
    if (!willRun || !room.prepare) return READY;
    // A dialler asks nobody to ring whom it would leave at once: a device the browser says is
    // blocked fails the command here, before the capture is even asked for.
    const denied = dialling && room.capturesWhileEntering ? await this.denied(video) : null;
    if (denied) throw this.refused(method, denied);
    const mine = ++this.prepares;
    const drop = () => {
      if (mine === this.prepares) room.unprepare?.();
    };
    if (!room.capturesWhileEntering) {
      try {
        await room.prepare({ video });
      } catch (error) {
        throw this.refused(method, error);
      }
      return { ...READY, drop };
    }
    let failed: { readonly error: unknown } | null = null;
    const capturing = room.prepare({ video });
    capturing.catch((error: unknown) => {
      failed = { error };
    });
    return {
      check: () => {
        if (failed) throw this.refused(method, failed.error);
      },
      captured: async () => {
        // The call signalled just now: its end, not that of a call made while the capture ran.
        const over = this.callOver();
        try {
          await capturing;
        } catch (error) {
          await over;
          const { code, message } = portFailure(error);
          throw new CallingError(code, 'media', `${method}: ${message}`, { cause: error });
        }
      },
      drop,
    };
  }

  /**
   * Claims the room of a call about to be dialled where the backend's server hands rooms to calls
   * (embedded), without waiting for the answer: the claim is written first and the invitation and
   * the room's enter go right behind it (the server takes a connection's frames in order), so call
   * setup spends no round trip on it. A room ID another call holds is refused, and so are the enter
   * and the invitation behind it: nobody is invited, the call ends at once (`ERROR`, `CALL_END`
   * with reason `error`), and {@link RoomClaim.settled} throws the backend's code with reason
   * `roomInUse` (call again: a new room ID is drawn).
   */
  claim(method: string, willRun: boolean, roomID: number): RoomClaim {
    if (!willRun || !this.room.reserve) return { roomID, settled: async () => undefined };
    // Called now, not in a later microtask: the claim must be written before the dial's frames.
    let reserving: Promise<void>;
    try {
      reserving = this.room.reserve(roomID);
    } catch (error) {
      reserving = Promise.reject(error);
    }
    const refusal = reserving.then(
      () => null,
      (error: unknown) => {
        const { code, message } = portFailure(error);
        const reason = typeof error === 'object' && error !== null && 'reason' in error && typeof error.reason === 'string' ? error.reason : 'backend';
        return new CallingError(code, reason, `${method}: ${message}`, { cause: error });
      },
    );
    return {
      roomID,
      settled: async () => {
        const refused = await refusal;
        if (refused) throw refused;
      },
    };
  }

  /**
   * After a dial, or invitations into the live group call (`dialled` false): resolves once each invitation
   * (`sends`, one per invitee of `userIDs`; `undefined`: none was sent) went or was refused, with each one's
   * refusal (null: the IM took it). A group call's refused invitee has its `ERROR` told as the refusal comes
   * and its `NO_RESP` a turn later, the call going on for the others: this resolves after both. A dial none
   * of whose invitations went has ended its call (`ERROR`, `CALL_END` with reason `error`): this throws the
   * first one's code once that is over, as trtc-calling-js's `call()` rejects.
   */
  async invited(method: string, { sends, over }: Invitations, dialled: boolean, userIDs: readonly string[] = []): Promise<(CallingError | null)[]> {
    const refusals = await Promise.all(
      sends.map((sent) =>
        sent?.then(
          () => null,
          (error: unknown) => {
            const { code, message } = portFailure(error);
            return new CallingError(code, 'notSent', `${method}: the invitation could not be sent: ${message}`, { cause: error });
          },
        ),
      ),
    );
    const first = refusals.find((r) => r);
    // The call they were sent for (a hangup() meanwhile ended it: not the next one's end).
    if (dialled && first && refusals.every((r) => r)) {
      await over();
      throw first;
    }
    if (first) await over(userIDs.filter((_, i) => refusals[i]));
    return refusals.map((r) => r ?? null);
  }

  /** The room's {@link RoomPort.permissionDenied}; null when it cannot say (it throws: the capture then tells). */
  private async denied(video: boolean): Promise<Error | null> {
    try {
      return (await this.room.permissionDenied?.({ video })) ?? null;
    } catch {
      return null;
    }
  }

  /** A capture refused before anything was signalled: `ERROR`, and the command's error. */
  private refused(method: string, error: unknown): CallingError {
    const { code, message } = portFailure(error);
    this.error({ code, msg: message, cause: error });
    return new CallingError(code, 'media', `${method}: ${message}`, { cause: error });
  }
}
