/**
 * inviteeMachine: the caller's view of one invitee (one actor per invitee, id
 * `invitee:<userID>`, 1v1 calls have exactly one). It owns that invitee's no-answer timer
 * and decides which answers are still legal, reporting each change to the call machine.
 *
 * ```
 *                 ┌──────── reject ────────► rejected (terminal)
 *                 ├──────── busy ──────────► busy (terminal)
 *   ┌─────────┐   ├── noAnswer / timeout ──► noResponse (terminal)
 *   │ pending │───┼──────── cancel ────────► cancelled (terminal)
 *   └─────────┘   ├──── unreached ──► unreached ──(0 ms)──► noResponse
 *        │        │
 *        │ accept │ entered (implicit accept: media arrived before the answer)
 *        ▼        ▼
 *   ┌──────────┐ entered ┌────────┐  left   ┌──────┐
 *   │ accepted │────────►│ joined │────────►│ left │ (terminal)
 *   └──────────┘         └────────┘         └──────┘
 *        │ left / hungUp  ─────────────────────▲
 *
 *   rejected | busy | noResponse ── overrule ──► accepted
 *   (their own answer decided, and another device of their user accepted after it)
 * ```
 */
import { assign, enqueueActions, setup } from 'xstate';
import { MissingActorError } from './events';
import type { UserID } from './types';

export interface InviteeInput {
  readonly userID: UserID;
  /** No-answer time in ms; 0 = never. */
  readonly noAnswerMs: number;
  /** When the invitation was sent (the timer's report is stamped `startedAt + noAnswerMs`). */
  readonly startedAt: number;
}

export type InviteeStatus =
  | 'pending'
  | 'unreached'
  | 'accepted'
  | 'joined'
  | 'rejected'
  | 'busy'
  | 'noResponse'
  | 'cancelled'
  | 'left';

/** The actor's context: its input, and when its invite was found unsent (its `NO_RESP`, a turn later, is stamped with that time). */
type InviteeContext = InviteeInput & { readonly unreachedAt?: number };

/** What the invitee actor tells its parent call machine. */
export interface InviteeChanged {
  readonly type: 'invitee.changed';
  readonly userID: UserID;
  readonly status: InviteeStatus;
  /** `timer` when our own no-answer timer decided, `peer` when the invitee told us. */
  readonly via: 'timer' | 'peer';
  /** Clock time of what caused the change. */
  readonly at: number;
}

/** What the call machine tells an invitee actor, stamped with the clock time of its cause. */
export type InviteeEvent = {
  /**
   * `overrule`: the invitee declined for itself (a REJECT, busy or not, or its ring's TIMEOUT), and another device of its
   * user accepted after (its ACCEPT, or its media in the room): the call takes that, as the call goes on (see `callDeclinedAccept`).
   */
  readonly type: 'accept' | 'reject' | 'busy' | 'timeout' | 'cancel' | 'entered' | 'left' | 'unreached' | 'overrule';
  readonly at: number;
};

/** Another device of the invitee's user accepted after its decline: answered after all. */
const OVERRULED = { target: 'accepted', actions: { type: 'report', params: { status: 'accepted' } } } as const;

export const inviteeMachine = setup({
  types: {
    context: {} as InviteeContext,
    input: {} as InviteeInput,
    events: {} as InviteeEvent,
  },
  actions: {
    markUnreached: assign(({ event }) => ({ unreachedAt: event.at })),
    /** Tells the call machine (found by its system ID, `call`) what changed. */
    report: enqueueActions(({ context, event, system, enqueue }, params: { status: InviteeStatus; via?: 'timer' | 'peer' }) => {
      const call = system.get('call');
      if (!call) throw new MissingActorError(`invitee ${context.userID}: no call to report ${params.status} to`);
      const changed: InviteeChanged = {
        type: 'invitee.changed',
        userID: context.userID,
        status: params.status,
        via: params.via ?? 'peer',
        at: 'at' in event ? event.at : (context.unreachedAt ?? context.startedAt + context.noAnswerMs),
      };
      enqueue.sendTo(call, changed);
    }),
  },
  guards: {
    hasNoAnswerTimer: ({ context }) => context.noAnswerMs > 0,
  },
  delays: {
    noAnswer: ({ context }) => context.noAnswerMs,
  },
}).createMachine({
  id: 'invitee',
  context: ({ input }) => input,
  initial: 'pending',
  states: {
    pending: {
      description: 'Invited; no answer yet. The no-answer timer runs here.',
      after: {
        noAnswer: {
          guard: 'hasNoAnswerTimer',
          target: 'noResponse',
          actions: { type: 'report', params: { status: 'noResponse', via: 'timer' } },
        },
      },
      on: {
        accept: { target: 'accepted', actions: { type: 'report', params: { status: 'accepted' } } },
        entered: {
          target: 'joined',
          actions: [
            { type: 'report', params: { status: 'accepted' } },
            { type: 'report', params: { status: 'joined' } },
          ],
        },
        reject: { target: 'rejected', actions: { type: 'report', params: { status: 'rejected' } } },
        busy: { target: 'busy', actions: { type: 'report', params: { status: 'busy' } } },
        timeout: {
          target: 'noResponse',
          actions: { type: 'report', params: { status: 'noResponse' } },
        },
        cancel: {
          target: 'cancelled',
          actions: { type: 'report', params: { status: 'cancelled' } },
        },
        unreached: { target: 'unreached', actions: ['markUnreached', { type: 'report', params: { status: 'unreached' } }] },
      },
    },
    // Told as no response on the next turn (the dial's promise settles after it): refusals that come together,
    // every invite's, end the call (reason error) before any of them is told as no response.
    unreached: {
      description: 'Its invite could not be sent.',
      after: { 0: { target: 'noResponse', actions: { type: 'report', params: { status: 'noResponse' } } } },
    },
    accepted: {
      description: 'Answered; their media has not reached the room yet.',
      on: {
        entered: { target: 'joined', actions: { type: 'report', params: { status: 'joined' } } },
        left: { target: 'left', actions: { type: 'report', params: { status: 'left' } } },
      },
    },
    joined: {
      description: 'In the room with us.',
      on: {
        left: { target: 'left', actions: { type: 'report', params: { status: 'left' } } },
      },
    },
    // The outcomes are terminal, not final: a final state would send the call `xstate.done.actor.invitee:<userID>`,
    // an event type per invitee that XState memoizes on the call machine's state nodes for the life of the process
    // (a long-lived app grew with every user it ever invited). The call stops this actor when it ends.
    // Terminal but for `overrule`, which the call sends only where the invitee's own answer decided (not our timer):
    // another device of its user accepted after (see the diagram above).
    rejected: { description: 'Declined the call.', on: { overrule: OVERRULED } },
    busy: { description: 'Was in another call; answered busy automatically.', on: { overrule: OVERRULED } },
    noResponse: { description: 'Did not answer in time.', on: { overrule: OVERRULED } },
    cancelled: { description: 'We withdrew the invitation before an answer. Terminal.' },
    left: { description: 'Was in the call and left it. Terminal.' },
  },
});
