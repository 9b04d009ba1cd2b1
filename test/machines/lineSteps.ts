/**
 * Tier 1 of the line machine's tests: XState's pure `transition` over a list of events, and the
 * steps each returned (requests to `im`, events to the `call` child, emitted notices).
 */
import { initialTransition, transition } from 'xstate';
import { type LineEvent, lineMachine } from '../../machines/lineMachine';
import { cmd, steps } from '../support/machineHarness';

export type Snapshot = ReturnType<typeof initialTransition<typeof lineMachine>>[0];

export function run(events: LineEvent[], from?: Snapshot) {
  let snapshot = from ?? initialTransition(lineMachine, {})[0];
  let actions: ReturnType<typeof transition<typeof lineMachine>>[1] = [];
  for (const event of events) [snapshot, actions] = transition(lineMachine, snapshot, event);
  return { snapshot, value: snapshot.value, context: snapshot.context, steps: steps(actions) };
}

export const ONLINE: LineEvent[] = [cmd.login(1), { type: 'im.loggedIn', at: 0 }];
export const online = () => run(ONLINE).snapshot;
/** Alice online and dialling Bob (`inv-5`). */
export const dialling = () => run([cmd.dial(2)], online()).snapshot;
export const emit = (notice: unknown) => ({ emit: notice });
export const refused = (commandId: number, reason: string) =>
  emit({ type: 'command.settled', commandId, error: { code: -1203, reason, kind: 'state' } });
export const settled = (commandId: number) => emit({ type: 'command.settled', commandId });
/** Settled with nothing to do (accept() or reject() with nothing ringing). */
export const settledNothing = (commandId: number) => emit({ type: 'command.settled', commandId, nothing: true });
export const toCall = (event: unknown) => ({ send: 'call', event });
export const toIm = (event: unknown) => ({ send: 'im', event });
export const sendFailed = (inviteID: string, kind: 'invite' | 'accept' | 'reject' | 'cancel'): LineEvent => ({
  type: 'im.sendFailed',
  inviteID,
  kind,
  at: 0,
  error: { code: -2, message: 'network' },
});
