/**
 * memberMachine: one remote member of the call's room, from the room's facts to presence.
 *
 * Tier 1 runs the statechart through XState's pure `transition` with the report actions swapped
 * by `.provide()` for no-ops, so the returned actions show which report the chart asked for.
 * Tier 2 runs the real machine under a parent registered as `call` on a `SimulatedClock` and
 * checks what that parent receives, and when (each report stamped with its cause's time).
 */
import { describe, expect, it } from 'vitest';
import { type AnyEventObject, createActor, initialTransition, setup, SimulatedClock, transition } from 'xstate';
import { type MemberEvent, type MemberReport, memberMachine } from '../../machines/memberMachine';
import { scheduled, steps } from '../support/machineHarness';

const member = memberMachine.provide({
  actions: { reportEntered: () => undefined, reportLeft: () => undefined, publish: () => undefined },
});
const input = { userID: 'bob', leaveGraceMs: 5_000, missingMemberMs: 10_000 };
const GRACE = 'xstate.after.leaveGrace.member.present.lost';
const MISSING = 'xstate.after.missingMember.member.missing';

const fact = (type: Exclude<MemberEvent['type'], 'audio' | 'video'>, at = 1_000): MemberEvent => ({ type, at });
const left = (cause: 'left' | 'lost', waited?: 'leaveGraceMs' | 'missingMemberMs') => ({
  action: 'reportLeft',
  params: waited ? { cause, waited } : { cause },
});

/** Drives the pure machine through `events`, returning the last snapshot and its actions. */
function after(events: MemberEvent[]) {
  let [snapshot, actions] = initialTransition(member, input);
  for (const event of events) [snapshot, actions] = transition(member, snapshot, event);
  return { snapshot, actions, steps: steps(actions) };
}

describe('memberMachine (pure transitions)', () => {
  it('starts joined: in the room, not in the call, no timer', () => {
    const { snapshot, steps: done } = after([]);
    expect(snapshot.value).toBe('joined');
    expect(done).toEqual([]);
  });

  it('joined, media arrives -> present.connected, entered reported once; more media news -> nothing', () => {
    const first = after([fact('mediaArrived')]);
    expect(first.snapshot.value).toEqual({ present: 'connected' });
    expect(first.steps).toEqual([{ action: 'reportEntered', params: undefined }]);
    expect(first.snapshot.context.entered).toBe(true);
    expect(after([fact('mediaArrived'), fact('mediaArrived'), fact('joined')]).steps).toEqual([]);
  });

  it('joined, left -> gone (terminal), reported as left', () => {
    const { snapshot, steps: done } = after([fact('left')]);
    expect([snapshot.value, snapshot.status]).toEqual(['gone', 'active']);
    expect(done).toEqual([left('left')]);
  });

  it('present, connection lost -> lost, the leave-grace timer scheduled at leaveGraceMs', () => {
    const { snapshot, actions } = after([fact('mediaArrived'), fact('connectionLost')]);
    expect(snapshot.value).toEqual({ present: 'lost' });
    expect(scheduled<MemberEvent>(actions)).toEqual({ event: { type: GRACE }, delay: 5_000 });
  });

  it('lost, the timer fires -> gone, reported as lost once the grace ran out', () => {
    const { snapshot, actions } = after([fact('mediaArrived'), fact('connectionLost')]);
    const [next, fired] = transition(member, snapshot, scheduled<MemberEvent>(actions).event);
    expect([next.value, next.status]).toEqual(['gone', 'active']);
    expect(steps(fired)).toEqual([{ cancel: GRACE }, left('lost', 'leaveGraceMs')]);
  });

  it('lost, the connection comes back -> connected, the timer cancelled, nothing reported', () => {
    const { snapshot, steps: done } = after([fact('mediaArrived'), fact('connectionLost'), fact('connectionBack')]);
    expect(snapshot.value).toEqual({ present: 'connected' });
    expect(done).toEqual([{ cancel: GRACE }]);
  });

  it('lost, then the room says it left -> gone, reported as left (a departure is told, never guessed)', () => {
    const { snapshot, steps: done } = after([fact('mediaArrived'), fact('connectionLost'), fact('left')]);
    expect(snapshot.value).toBe('gone');
    expect(done).toEqual([{ cancel: GRACE }, left('left')]);
  });

  it('present, missing after we re-entered -> missing with its timer; it fires -> gone, reported as lost', () => {
    const { snapshot, actions } = after([fact('mediaArrived'), fact('missing')]);
    expect(snapshot.value).toBe('missing');
    expect(scheduled<MemberEvent>(actions)).toEqual({ event: { type: MISSING }, delay: 10_000 });
    const [next, fired] = transition(member, snapshot, { type: MISSING } as unknown as MemberEvent);
    expect(next.value).toBe('gone');
    expect(steps(fired)).toEqual([{ cancel: MISSING }, left('lost', 'missingMemberMs')]);
  });

  it('missing, back in the room -> present again with nothing reported (it never left); one never entered goes back to joined', () => {
    expect(after([fact('mediaArrived'), fact('missing'), fact('joined')])).toMatchObject({
      snapshot: { value: { present: 'connected' } },
      steps: [{ cancel: MISSING }],
    });
    expect(after([fact('missing'), fact('joined')]).snapshot.value).toBe('joined');
    expect(after([fact('missing'), fact('mediaArrived')]).steps).toEqual([{ cancel: MISSING }, { action: 'reportEntered', params: undefined }]);
  });

  it('what it publishes is taken in any state', () => {
    expect(after([{ type: 'audio', available: true, at: 1 }]).steps).toEqual([{ action: 'publish', params: undefined }]);
  });
});

describe('memberMachine (timed, under a call)', () => {
  /** The machine under a parent registered as `call`, recording every report it gets. */
  function run(events: Array<MemberEvent | { advance: number }>) {
    const clock = new SimulatedClock();
    const reports: MemberReport[] = [];
    const host = setup({ actors: { member: memberMachine } }).createMachine({
      invoke: { src: 'member', id: 'member', input },
      on: { '*': { actions: ({ event }) => void reports.push(event as MemberReport) } },
    });
    const actor = createActor(host, { clock, systemId: 'call' }).start();
    const child = () => actor.getSnapshot().children.member as { send(e: AnyEventObject): void } | undefined;
    for (const step of events) {
      if ('advance' in step) clock.increment(step.advance);
      else child()?.send(step);
    }
    return reports.filter((r) => r.type.startsWith('member.'));
  }

  it('joined with audio, media arrives at 2 s -> entered with audio; video at 3 s -> media news at once', () => {
    expect(
      run([
        { type: 'joined', at: 1_000 },
        { type: 'audio', available: true, at: 1_000 },
        { type: 'mediaArrived', at: 2_000 },
        { type: 'video', available: true, at: 3_000 },
        { type: 'video', available: true, at: 3_500 },
      ]),
    ).toEqual([
      { type: 'member.entered', userID: 'bob', audio: true, video: false, at: 2_000 },
      { type: 'member.media', userID: 'bob', media: 'video', available: true, at: 3_000 },
    ]);
  });

  it('connection lost at 10 s: nothing at 14.999 s; at 15 s left, lost, stamped 15 s', () => {
    const early = run([{ type: 'mediaArrived', at: 0 }, { advance: 10_000 }, { type: 'connectionLost', at: 10_000 }, { advance: 4_999 }]);
    expect(early).toEqual([{ type: 'member.entered', userID: 'bob', audio: false, video: false, at: 0 }]);
    const late = run([{ type: 'mediaArrived', at: 0 }, { advance: 10_000 }, { type: 'connectionLost', at: 10_000 }, { advance: 5_000 }]);
    expect(late.slice(1)).toEqual([{ type: 'member.left', userID: 'bob', cause: 'lost', entered: true, at: 15_000 }]);
  });

  it('lost at 10 s, back at 14 s, lost again at 20 s -> the grace starts over: left at 25 s', () => {
    const reports = run([
      { type: 'mediaArrived', at: 0 },
      { advance: 10_000 },
      { type: 'connectionLost', at: 10_000 },
      { advance: 4_000 },
      { type: 'connectionBack', at: 14_000 },
      { advance: 6_000 },
      { type: 'connectionLost', at: 20_000 },
      { advance: 5_000 },
    ]);
    expect(reports.slice(1)).toEqual([{ type: 'member.left', userID: 'bob', cause: 'lost', entered: true, at: 25_000 }]);
  });

  it('missing at 3 s (we re-entered without it), never back -> left, lost, at 13 s', () => {
    expect(run([{ type: 'mediaArrived', at: 0 }, { advance: 3_000 }, { type: 'missing', at: 3_000 }, { advance: 10_000 }]).slice(1)).toEqual([
      { type: 'member.left', userID: 'bob', cause: 'lost', entered: true, at: 13_000 },
    ]);
  });

  it('joined, left before its media came -> left, not entered', () => {
    expect(run([{ type: 'joined', at: 1 }, { type: 'left', at: 2 }])).toEqual([
      { type: 'member.left', userID: 'bob', cause: 'left', entered: false, at: 2 },
    ]);
  });

  it('with no call to report to -> MissingActorError (the actor fails, never silence)', () => {
    const actor = createActor(memberMachine, { input });
    actor.subscribe({ error: () => undefined });
    actor.start();
    actor.send({ type: 'mediaArrived', at: 0 });
    expect(actor.getSnapshot()).toMatchObject({ status: 'error', error: { name: 'MissingActorError', message: 'member bob: no call to report to' } });
  });
});
