/** Steps the caller-side call machine tests share: Alice (`inv-5`, room 42) has dialled, and how her call ends. */
import type { CallContext } from '../../machines/callModel';
import { NO_LATE_ACCEPTS } from '../../machines/lineModel';
import { callerInput, out, startCall } from '../support/machineHarness';

/**
 * The notices of Alice's `inv-5` ending: CALL_END with `reason` and `callEnd`, then the actor's output,
 * which hands the line the invitees who declined themselves (`<userID> <inviteID>`: see `LateAccepts.declined`).
 */
export const ended = (reason: CallContext['reason'], callEnd = 0, declined: readonly string[] = []) => [
  out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: reason ?? 'hangup', callEnd }),
  { done: { inviteID: 'inv-5', reason, ...(declined.length > 0 ? { late: { ...NO_LATE_ACCEPTS, declined } } : {}) } },
];

/** Alice has dialled (Bob, unless `input` says others); the dial's requests are already taken. */
export function dialing(input = callerInput()) {
  const h = startCall(input);
  h.take();
  return h;
}
