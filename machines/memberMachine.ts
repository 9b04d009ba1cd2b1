/**
 * memberMachine: one remote member of the call's room, as the call sees it (one actor per
 * member, id `member:<userID>`, spawned by the call on the room's first fact about it). The
 * room only reports facts (joined, media arrived, connection lost / back, left); this machine
 * decides what they mean: when the member counts as in the call (`member.entered`, the user's
 * USER_ENTER) and when it counts as gone (`member.left`, USER_LEAVE), with its own timers.
 *
 * ```
 *  ┌────────┐ media arrived ┌─ present ───────────────────────┐
 *  │ joined │──────────────►│ ┌───────────┐ lost  ┌──────┐    │  after leaveGrace
 *  └────────┘               │ │ connected │──────►│ lost │────┼────────────────────┐
 *     │  │                  │ │           │◄──────│      │    │                    │
 *     │  │ not there after  │ └───────────┘ back  └──────┘    │ left               │
 *     │  │ we re-entered    └──────────────────────────────────┘──────────┐        │
 *     │  ▼                        │ not there after we re-entered         ▼        ▼
 *     │ ┌─────────┐◄──────────────┘                                ┌──────┐
 *     │ │ missing │──── after missingMember ─────────────────────►│ gone │ (terminal)
 *     │ └─────────┘──── back in the room: joined / present ──►     └──────┘
 *     └──────────────────── left ───────────────────────────────────▲
 * ```
 *
 * Why the member went (`cause` of `member.left`): `left` when the room says it left (it hung
 * up, closed its page, or the server let it go); `lost` when our media connection to it stayed
 * down for `leaveGraceMs`, or it never came back within `missingMemberMs` after we entered the
 * room again. The call ends a call lost that way with reason `error`, one left with `hangup`.
 */
import { type AnyActorRef, assign, enqueueActions, setup } from 'xstate';
import { MissingActorError } from './events';
import type { UserID } from './types';

export interface MemberInput {
  readonly userID: UserID;
  /** How long our media connection to the member may stay down before it counts as gone. */
  readonly leaveGraceMs: number;
  /** After we entered the room again (our connection was lost), how long a member may take to come back. */
  readonly missingMemberMs: number;
}

export interface MemberContext extends MemberInput {
  /** What the member publishes (the room's news, held until its media arrives). */
  readonly audio: boolean;
  readonly video: boolean;
  /** The member has counted as in the call (`member.entered` was reported). */
  readonly entered: boolean;
  /** When the current wait (connection lost, missing) began; its report is stamped with its end. */
  readonly since: number;
}

/** The room's facts about the member, as the call hands them over, stamped with their clock time. */
export type MemberEvent =
  | { readonly type: 'joined' | 'mediaArrived' | 'connectionLost' | 'connectionBack' | 'left' | 'missing'; readonly at: number }
  | { readonly type: 'audio' | 'video'; readonly available: boolean; readonly at: number };

/** Why a member counts as gone. */
export type LeaveCause = 'left' | 'lost';

/** What a member actor tells its call (found by its system ID, `call`). */
export type MemberReport =
  | { readonly type: 'member.entered'; readonly userID: UserID; readonly audio: boolean; readonly video: boolean; readonly at: number }
  | { readonly type: 'member.media'; readonly userID: UserID; readonly media: 'audio' | 'video'; readonly available: boolean; readonly at: number }
  | { readonly type: 'member.left'; readonly userID: UserID; readonly cause: LeaveCause; readonly entered: boolean; readonly at: number };

export const memberId = (userID: UserID) => `member:${userID}`;

/** The call the member reports to; none is a core fault (see `CORE_FAULT`), never silence. */
function callOf(system: { get(id: string): AnyActorRef | undefined }, userID: UserID): AnyActorRef {
  const call = system.get('call');
  if (!call) throw new MissingActorError(`member ${userID}: no call to report to`);
  return call;
}

export const memberMachine = setup({
  types: {
    context: {} as MemberContext,
    input: {} as MemberInput,
    events: {} as MemberEvent,
  },
  actions: {
    /** Holds what the member publishes; reported at once while it counts as in the call. */
    publish: enqueueActions(({ context, event, system, enqueue }) => {
      if (event.type !== 'audio' && event.type !== 'video') return;
      if (context[event.type] === event.available) return;
      enqueue.assign({ [event.type]: event.available });
      const report: MemberReport = { type: 'member.media', userID: context.userID, media: event.type, available: event.available, at: event.at };
      if (context.entered) enqueue.sendTo(callOf(system, context.userID), report);
    }),
    markEntered: assign({ entered: true }),
    reportEntered: enqueueActions(({ context, event, system, enqueue }) => {
      const report: MemberReport = { type: 'member.entered', userID: context.userID, audio: context.audio, video: context.video, at: event.at };
      enqueue.sendTo(callOf(system, context.userID), report);
    }),
    /** `after` events carry no time: a wait's report is stamped with the moment it ran out. */
    reportLeft: enqueueActions(({ context, event, system, enqueue }, params: { cause: LeaveCause; waited?: 'leaveGraceMs' | 'missingMemberMs' }) => {
      const at = params.waited ? context.since + context[params.waited] : 'at' in event ? event.at : context.since;
      const report: MemberReport = { type: 'member.left', userID: context.userID, cause: params.cause, entered: context.entered, at };
      enqueue.sendTo(callOf(system, context.userID), report);
    }),
    markSince: assign({ since: ({ event }) => ('at' in event ? event.at : 0) }),
  },
  guards: {
    wasEntered: ({ context }) => context.entered,
  },
  delays: {
    leaveGrace: ({ context }) => context.leaveGraceMs,
    missingMember: ({ context }) => context.missingMemberMs,
  },
}).createMachine({
  id: 'member',
  context: ({ input }) => ({ ...input, audio: false, video: false, entered: false, since: 0 }),
  initial: 'joined',
  on: {
    audio: { actions: 'publish' },
    video: { actions: 'publish' },
  },
  states: {
    joined: {
      description: 'In the room; its media has not reached us yet, so it is not in the call for the user.',
      on: {
        mediaArrived: { target: 'present', actions: ['markEntered', 'reportEntered'] },
        left: { target: 'gone', actions: { type: 'reportLeft', params: { cause: 'left' } } },
        missing: { target: 'missing', actions: 'markSince' },
      },
    },
    present: {
      description: 'In the call: its media reached us (USER_ENTER was reported).',
      initial: 'connected',
      states: {
        connected: {
          description: 'Our media connection to it is up.',
          on: { connectionLost: { target: 'lost', actions: 'markSince' } },
        },
        lost: {
          description: 'Our media connection to it is down; it is gone unless the connection comes back in time.',
          on: { connectionBack: 'connected' },
          after: {
            leaveGrace: { target: '#member.gone', actions: { type: 'reportLeft', params: { cause: 'lost', waited: 'leaveGraceMs' } } },
          },
        },
      },
      on: {
        left: { target: 'gone', actions: { type: 'reportLeft', params: { cause: 'left' } } },
        missing: { target: 'missing', actions: 'markSince' },
      },
    },
    missing: {
      description: 'We entered the room again after losing it, and the member is not there (yet).',
      after: {
        missingMember: { target: 'gone', actions: { type: 'reportLeft', params: { cause: 'lost', waited: 'missingMemberMs' } } },
      },
      on: {
        joined: [{ guard: 'wasEntered', target: 'present' }, { target: 'joined' }],
        mediaArrived: [{ guard: 'wasEntered', target: 'present' }, { target: 'present', actions: ['markEntered', 'reportEntered'] }],
        left: { target: 'gone', actions: { type: 'reportLeft', params: { cause: 'left' } } },
      },
    },
    // Terminal, not final: a final state would send the call `xstate.done.actor.member:<userID>`, an event type per
    // member that XState memoizes on the call machine's state nodes for the life of the process. The call stops this actor.
    gone: {
      description: 'Out of the call: it left, or it was lost for longer than we wait. Terminal.',
    },
  },
});
