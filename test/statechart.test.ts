import { describe, expect, it } from 'vitest';
import { callMachine, lineMachine } from '../src/index';
import { activeIds, statechartOf } from '../src/inspect';

describe('statechartOf / activeIds (what a UI needs to draw the live statechart)', () => {
  it('lists the call machine states with their descriptions, nesting and initial children', () => {
    const { root } = statechartOf(callMachine);
    expect(root.children.map((c) => c.id)).toEqual(['call.starting', 'call.dialing', 'call.ringing', 'call.accepting', 'call.inCall', 'call.ending', 'call.ended']);
    const inCall = root.children.find((c) => c.id === 'call.inCall');
    expect(inCall?.initial).toBe('call.inCall.together');
    expect(inCall?.children.map((c) => c.path)).toEqual([['inCall', 'together'], ['inCall', 'alone']]);
    expect(root.children.find((c) => c.id === 'call.ended')?.final).toBe(true);
    expect(root.children.every((c) => typeof c.description === 'string')).toBe(true);
  });

  it('lists targeted transitions with events, timers and guards', () => {
    const { transitions } = statechartOf(callMachine);
    expect(transitions).toContainEqual({ from: 'call.ringing', to: 'call.accepting', event: 'call.accept', guard: 'matchesInvite' });
    expect(transitions).toContainEqual({ from: 'call.ringing', to: 'call.ended', event: 'after ringTimeout', guard: 'hasTimeout' });
    expect(transitions).toContainEqual({ from: 'call', to: 'call.ending', event: 'call.hangup' });
    expect(transitions).toContainEqual({ from: 'call.dialing', to: 'call.inCall', event: 'always', guard: 'answeredOrJoined' });
  });

  it('maps a snapshot value to the active node ids, parents included', () => {
    expect(activeIds('line', { online: 'busy' })).toEqual(['line.online', 'line.online.busy']);
    expect(activeIds('call', 'ringing')).toEqual(['call.ringing']);
    expect(activeIds('call', { inCall: 'alone' })).toEqual(['call.inCall', 'call.inCall.alone']);
    expect(statechartOf(lineMachine).root.children.map((c) => c.id)).toContain('line.kickedOut');
  });
});
