/**
 * inviteeMachine: the caller's view of one invitee.
 *
 * Tier 1 runs the statechart through XState's pure `transition` with `report` swapped by
 * `.provide()` for a no-op, so each returned action shows which report the chart asked for
 * (the real `report` looks up the `call` actor, which the inert scope does not have). Tier 2
 * runs the real machine under a parent registered as `call` on a `SimulatedClock` and checks
 * what that parent receives (each report stamped with its cause's time), and when.
 */
import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, setup, SimulatedClock, transition } from 'xstate';
import {
  type InviteeChanged,
  type InviteeEvent,
  type InviteeInput,
  inviteeMachine,
} from '../../machines/inviteeMachine';
import { scheduled, steps } from '../support/machineHarness';

const invitee = inviteeMachine.provide({ actions: { report: () => undefined } });
const TIMER = 'xstate.after.noAnswer.invitee.pending';

const report = (status: InviteeChanged['status'], via?: 'timer') => ({
  action: 'report',
  params: via ? { status, via } : { status },
});
const cancelTimer = { cancel: TIMER };

/** What the call machine tells the invitee actor, stamped with its cause's time. */
const ev = (type: InviteeEvent['type'], at = 1_000): InviteeEvent => ({ type, at });

function pending(noAnswerMs = 35_000) {
  const [snapshot, actions] = initialTransition(invitee, { userID: 'bob', noAnswerMs, startedAt: 0 });
  return { snapshot, actions };
}

/** Drives the pure machine through `events`, returning the last snapshot and its actions. */
function after(events: InviteeEvent[]) {
  let { snapshot } = pending();
  let actions: ReturnType<typeof transition<typeof invitee>>[1] = [];
  for (const event of events) [snapshot, actions] = transition(invitee, snapshot, event);
  return { snapshot, steps: steps(actions) };
}

describe('inviteeMachine (pure transitions)', () => {
  it('starts pending with its no-answer timer scheduled at noAnswerMs', () => {
    const { snapshot, actions } = pending(35_000);
    expect(snapshot.value).toBe('pending');
    expect(steps(actions)).toEqual([{ raise: { type: TIMER }, delay: 35_000 }]);
  });

  it.each([
    ['accept', 'accepted', 'active'],
    // Outcomes are terminal, not final: a final state's done event names the invitee, a record per user in XState.
    ['reject', 'rejected', 'active'],
    ['busy', 'busy', 'active'],
    ['timeout', 'noResponse', 'active'],
    ['cancel', 'cancelled', 'active'],
  ] as const)('pending, %s -> %s, stops the timer, reports it once', (event, status, lifecycle) => {
    const { snapshot, steps: done } = after([ev(event)]);
    expect(snapshot.value).toBe(status);
    expect(snapshot.status).toBe(lifecycle);
    expect(done).toEqual([cancelTimer, report(status)]);
  });

  it('pending, entered (media before the answer) -> joined, reports accepted then joined', () => {
    const { snapshot, steps: done } = after([ev('entered')]);
    expect(snapshot.value).toBe('joined');
    expect(done).toEqual([cancelTimer, report('accepted'), report('joined')]);
  });

  it('pending, the no-answer timer fires -> noResponse, reported via the timer', () => {
    const { snapshot, actions } = pending(35_000);
    const [next, fired] = transition(invitee, snapshot, scheduled<InviteeEvent>(actions).event);
    expect(next.value).toBe('noResponse');
    expect(next.status).toBe('active');
    expect(steps(fired)).toEqual([cancelTimer, report('noResponse', 'timer')]);
  });

  it('noAnswerMs 0: the timer event is refused by its guard -> still pending, nothing reported', () => {
    const { snapshot, actions } = pending(0);
    const [next, fired] = transition(invitee, snapshot, scheduled<InviteeEvent>(actions).event);
    expect(next.value).toBe('pending');
    expect(fired).toEqual([]);
  });

  it('accepted, entered -> joined; joined, left -> left (terminal)', () => {
    const joined = after([ev('accept'), ev('entered')]);
    expect(joined.snapshot.value).toBe('joined');
    expect(joined.steps).toEqual([report('joined')]);
    const left = after([ev('accept'), ev('entered'), ev('left')]);
    expect(left.snapshot.value).toBe('left');
    expect(left.snapshot.status).toBe('active');
    expect(left.steps).toEqual([report('left')]);
  });

  it('accepted, left (never reached the room) -> left', () => {
    const { snapshot, steps: done } = after([ev('accept'), ev('left')]);
    expect(snapshot.value).toBe('left');
    expect(done).toEqual([report('left')]);
  });

  it.each(['accept', 'reject', 'busy', 'timeout', 'cancel'] as const)(
    'accepted, a late %s -> ignored: still accepted, nothing reported',
    (late) => {
      const { snapshot, steps: done } = after([ev('accept'), ev(late)]);
      expect(snapshot.value).toBe('accepted');
      expect(done).toEqual([]);
    },
  );

  it.each(['accept', 'entered', 'reject', 'busy', 'timeout', 'cancel'] as const)(
    'joined, a late %s -> ignored',
    (late) => {
      const { snapshot, steps: done } = after([ev('entered'), ev(late)]);
      expect(snapshot.value).toBe('joined');
      expect(done).toEqual([]);
    },
  );

  it.each(['accept', 'entered', 'left', 'busy'] as const)('rejected (final), a late %s -> ignored', (late) => {
    const { snapshot, steps: done } = after([ev('reject'), ev(late)]);
    expect(snapshot.value).toBe('rejected');
    expect(done).toEqual([]);
  });

  // Many devices (callDeclinedAccept.ts): the call sends `overrule` only where the invitee's own answer decided.
  it.each(['reject', 'busy', 'timeout'] as const)('%s, then overrule (another device of the user accepted after) -> accepted, reported; entered -> joined', (decline) => {
    const back = after([ev(decline), ev('overrule')]);
    expect(back.snapshot.value).toBe('accepted');
    expect(back.steps).toEqual([report('accepted')]);
    const joined = after([ev(decline), ev('overrule'), ev('entered')]);
    expect(joined.snapshot.value).toBe('joined');
    expect(joined.steps).toEqual([report('joined')]);
  });

  it.each([
    ['pending', []],
    ['cancelled', ['cancel']],
    ['accepted', ['accept']],
    ['joined', ['entered']],
    ['left', ['entered', 'left']],
  ] as const)('%s, overrule -> ignored (nothing to overrule)', (state, before) => {
    const { snapshot, steps: done } = after([...before.map((type) => ev(type)), ev('overrule')]);
    expect(snapshot.value).toBe(state);
    expect(done).toEqual([]);
  });

  it('pending, left -> ignored (nobody left who never came)', () => {
    const { snapshot, steps: done } = after([ev('left')]);
    expect(snapshot.value).toBe('pending');
    expect(done).toEqual([]);
  });
});

/** The real machine under a parent that records what it is told. */
function startInvitee(input: InviteeInput) {
  const clock = new SimulatedClock();
  const told: InviteeChanged[] = [];
  const parent = setup({
    types: { events: {} as InviteeChanged, children: {} as { invitee: 'invitee' } },
    actors: { invitee: inviteeMachine },
    actions: { record: ({ event }) => void told.push(event) },
  }).createMachine({
    invoke: { src: 'invitee', id: 'invitee', input },
    on: { 'invitee.changed': { actions: 'record' } },
  });
  // The invitee reports to the actor registered as `call` (its parent in the call machine).
  const actor = createActor(parent, { clock, systemId: 'call' }).start();
  const child = actor.getSnapshot().children.invitee;
  if (!child) throw new Error('invitee not spawned');
  return { clock, told, child };
}

describe('inviteeMachine (SimulatedClock, real parent)', () => {
  const changed = (status: InviteeChanged['status'], via: 'timer' | 'peer', at: number): InviteeChanged => ({
    type: 'invitee.changed',
    userID: 'bob',
    status,
    via,
    at,
  });

  it('noAnswerMs 35000: nothing at 34999 ms, noResponse via timer at exactly 35000 ms, stamped 35000', () => {
    const { clock, told, child } = startInvitee({ userID: 'bob', noAnswerMs: 35_000, startedAt: 0 });
    clock.increment(34_999);
    expect(told).toEqual([]);
    expect(child.getSnapshot().value).toBe('pending');
    clock.increment(1);
    expect(told).toEqual([changed('noResponse', 'timer', 35_000)]);
    expect(child.getSnapshot().status).toBe('active');
  });

  it('invited at 5 s (startedAt 5000), noAnswerMs 35000: the timer report is stamped startedAt + noAnswerMs = 40000', () => {
    const { clock, told } = startInvitee({ userID: 'bob', noAnswerMs: 35_000, startedAt: 5_000 });
    clock.increment(35_000);
    expect(told).toEqual([changed('noResponse', 'timer', 40_000)]);
  });

  it('noAnswerMs 0: an hour passes -> still pending, nothing said', () => {
    const { clock, told, child } = startInvitee({ userID: 'bob', noAnswerMs: 0, startedAt: 0 });
    clock.increment(3_600_000);
    expect(told).toEqual([]);
    expect(child.getSnapshot().value).toBe('pending');
  });

  it('its invite unsent at 3 s -> unreached stamped 3000, then on the next turn noResponse stamped 3000 (not the no-answer time, 35000: a call that ends on it measured its length to then)', () => {
    const { clock, told, child } = startInvitee({ userID: 'bob', noAnswerMs: 35_000, startedAt: 0 });
    clock.increment(3_000);
    child.send(ev('unreached', 3_000));
    clock.increment(0);
    expect(told).toEqual([changed('unreached', 'peer', 3_000), changed('noResponse', 'peer', 3_000)]);
    expect(child.getSnapshot().value).toBe('noResponse');
  });

  it('accept at 1 s, then 40 s pass -> accepted via peer only, stamped 1000; the timer was cancelled', () => {
    const { clock, told, child } = startInvitee({ userID: 'bob', noAnswerMs: 35_000, startedAt: 0 });
    clock.increment(1_000);
    child.send(ev('accept', 1_000));
    clock.increment(40_000);
    expect(told).toEqual([changed('accepted', 'peer', 1_000)]);
    expect(child.getSnapshot().value).toBe('accepted');
  });

  it('entered at 2 s, then left at 9 s -> accepted and joined stamped 2000, left stamped 9000, each via peer', () => {
    const { told, child } = startInvitee({ userID: 'bob', noAnswerMs: 35_000, startedAt: 0 });
    child.send(ev('entered', 2_000));
    child.send(ev('left', 9_000));
    expect(told).toEqual([
      changed('accepted', 'peer', 2_000),
      changed('joined', 'peer', 2_000),
      changed('left', 'peer', 9_000),
    ]);
  });

  it('clock at 3 s, a reject stamped 12 s arrives -> rejected, stamped 12000 (the cause, not the clock)', () => {
    const { clock, told, child } = startInvitee({ userID: 'bob', noAnswerMs: 35_000, startedAt: 0 });
    clock.increment(3_000);
    child.send(ev('reject', 12_000));
    expect(told).toEqual([changed('rejected', 'peer', 12_000)]);
  });
});
