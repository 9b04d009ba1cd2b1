/**
 * switchMachine: one audio/video switch this user asked for (spec 2.6), spawned by the call
 * (id `switch`) when the request goes out. It decides how the request ends; the call reads its
 * final output (`xstate.done.actor.switch`) and switches, or not. A request the peer sends us is
 * answered at once by the call itself (Tencent's clients auto-accept), so it needs no actor.
 *
 * ```
 *                 ┌──── the peer accepts ─────────────────────► accepted (final)
 *  ┌───────────┐  ├──── the peer rejects ─────────────────────► rejected (final)
 *  │ requested │──┼──── no answer in time / timeout notice ───► timedOut (final)
 *  └───────────┘  └──── the peer's own request crossed it ────► superseded (final)
 * ```
 *
 * Crossing rules (decided by the call, which tells this actor): two requests that cross are
 * each accepted by the other side, as Tencent's clients do (one of theirs has already taken
 * ours when ours takes its request: refusing it would end its call), and each switches to the
 * type the other's asks for (the same type, unless the two sides disagreed about the call's); each
 * side's own request is then done if it asked for that type, and the peer's answer to it, which
 * comes later, is ignored. A hang-up that
 * crosses a request ends the call, which stops this actor: the request settles as "the call
 * ended" and an answer that comes later is ignored.
 */
import { assign, setup } from 'xstate';
import type { CallType } from './types';

export interface SwitchInput {
  /** The switch request's own inviteID (its answers carry it). */
  readonly inviteID: string;
  readonly from: CallType;
  readonly to: CallType;
  /** The command that asked for it, settled when this actor is done. */
  readonly commandId: number;
  /** How long to wait for an answer, in ms; 0 = forever. */
  readonly answerMs: number;
}

export type SwitchOutcome = 'accepted' | 'rejected' | 'timedOut' | 'superseded';

export interface SwitchOutput extends SwitchInput {
  readonly outcome: SwitchOutcome;
}

/** What the call tells the switch actor about its request. */
export type SwitchEvent = { readonly type: 'switch.accept' | 'switch.reject' | 'switch.timeout' | 'switch.supersede' };

export const SWITCH_ID = 'switch';

export const switchMachine = setup({
  types: {
    context: {} as SwitchInput & { readonly outcome: SwitchOutcome | null },
    input: {} as SwitchInput,
    events: {} as SwitchEvent,
    output: {} as SwitchOutput,
  },
  actions: { settle: assign((_, params: { outcome: SwitchOutcome }) => ({ outcome: params.outcome })) },
  guards: { hasAnswerTimer: ({ context }) => context.answerMs > 0 },
  delays: { answer: ({ context }) => context.answerMs },
}).createMachine({
  id: 'switch',
  context: ({ input }) => ({ ...input, outcome: null }),
  initial: 'requested',
  output: ({ context: { outcome, ...input } }) => ({ ...input, outcome: outcome ?? 'timedOut' }),
  states: {
    requested: {
      description: 'Our switch request is out; the peer has not answered it.',
      after: { answer: { guard: 'hasAnswerTimer', target: 'timedOut' } },
      on: {
        'switch.accept': 'accepted',
        'switch.reject': 'rejected',
        'switch.timeout': 'timedOut',
        'switch.supersede': 'superseded',
      },
    },
    accepted: { type: 'final', description: 'The peer switched: so do we.', entry: { type: 'settle', params: { outcome: 'accepted' } } },
    rejected: { type: 'final', description: 'The peer refused: the call keeps its type.', entry: { type: 'settle', params: { outcome: 'rejected' } } },
    timedOut: { type: 'final', description: 'No answer in time: the call keeps its type.', entry: { type: 'settle', params: { outcome: 'timedOut' } } },
    superseded: { type: 'final', description: "The peer's own request crossed ours; we accepted it.", entry: { type: 'settle', params: { outcome: 'superseded' } } },
  },
});
