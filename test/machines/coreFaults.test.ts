/**
 * Core faults: a request, report or notice with no actor to take it is never dropped in
 * silence. With a line to tell, the user gets ERROR with code -1300 (`CORE_FAULT`); a machine
 * run with no line (or an invitee or member with no call) fails with `MissingActorError`.
 */
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { CORE_FAULT } from '../../machines/events';
import { inviteeMachine } from '../../machines/inviteeMachine';
import { lineMachine } from '../../machines/lineMachine';
import { callerInput, cmd, im, out, rm, startCall } from '../support/machineHarness';

describe('core faults', () => {
  it('a call whose line has no room bridge -> each room request is an ERROR core fault, the call goes on', () => {
    const h = startCall(callerInput(), undefined, ['room']);
    // (The host hears the call after the stand-ins do: the notice is logged after the invite.)
    expect(h.take()).toEqual([
      out.im({ type: 'im.send', to: { users: ['bob'] }, signal: expect.objectContaining({ kind: 'invite' }), onlineUserOnly: false }),
      out.notice({ type: 'error', code: CORE_FAULT, message: 'core fault: call inv-5: room.enter with no room actor' }),
    ]);
    expect(h.value()).toBe('dialing');
  });

  it('a group timeout naming someone we never invited -> no invitee event, no fault, nothing', () => {
    const h = startCall(callerInput());
    h.send(rm.entered());
    h.take();
    h.send(im.timedOut('bob', ['carol']));
    expect(h.take()).toEqual([]);
  });

  it('the line machine as defined, with no bridges provided -> login is an ERROR core fault, not a request lost in silence', () => {
    const notices: unknown[] = [];
    const line = createActor(lineMachine, { input: {}, clock: new SimulatedClock(), systemId: 'line' });
    line.on('*', (notice) => void notices.push(notice));
    line.start();
    line.send(cmd.login(1));
    expect(notices).toEqual([{ type: 'error', code: CORE_FAULT, message: 'core fault: im.login sent to no im bridge' }]);
    expect(line.getSnapshot().value).toBe('loggingIn');
  });

  it('an invitee actor with no call to report to -> MissingActorError, the actor fails', () => {
    const invitee = createActor(inviteeMachine, { input: { userID: 'bob', noAnswerMs: 0, startedAt: 0 } });
    invitee.subscribe({ error: () => undefined });
    invitee.start();
    invitee.send({ type: 'accept', at: 1 });
    expect(invitee.getSnapshot()).toMatchObject({ status: 'error', error: { name: 'MissingActorError', message: 'invitee bob: no call to report accepted to' } });
  });
});
