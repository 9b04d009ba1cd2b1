/** A handler's typed refusal: the dispatcher turns it into an `error` frame and counts it. */
import type { ErrorCode } from '../adapters/ws/protocol';

/** Why a request was refused; `limit` names the bound that refused it, for the metrics. */
export interface Refusal {
  readonly refused: ErrorCode;
  readonly message: string;
  readonly limit?: string;
}

/**
 * A refusal that may not stand: the request is handled again once `wait` settles, the connection's next frames
 * behind it (a cluster's claim of a room, decided in Redis's order: `server/cluster/grants.ts`). Answered as it
 * is when it comes back deferred again, unless {@link Deferral.fresh}.
 */
export interface Deferral extends Refusal {
  readonly wait: Promise<void>;
  /**
   * Made by this very handling (a claim sent just now): waited for even by a request handled a second time (its
   * first handling refused for something its node had not heard yet), else its claim went on unheard of.
   */
  readonly fresh?: true;
}

/** True for a {@link Deferral}. */
export function isDeferral(value: Refusal): value is Deferral {
  return 'wait' in value;
}

/** A refusal with this code and message (and the limit that caused it, if one did). */
export function refuse(refused: ErrorCode, message: string, limit?: string): Refusal {
  return limit === undefined ? { refused, message } : { refused, message, limit };
}

/** True for a {@link Refusal}. */
export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}
