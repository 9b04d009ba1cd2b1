/**
 * The property test's own timeline checker, on hand-written timelines: what it must flag, and
 * what it must not (legitimate sequences it once mistook for violations).
 */
import { describe, expect, it } from 'vitest';
import { checkTimeline, type Entry } from './invariants';

const api = (method: 'groupCall' | 'call' | 'accept'): Entry => ({ kind: 'api', method });
const invite = (...users: string[]): Entry => ({ kind: 'api', method: 'invite', users });
const event = (name: string, payload: Record<string, unknown> = {}): Entry => ({ kind: 'event', name, payload });

describe('checkTimeline: REJECT (or LINE_BUSY) and USER_ENTER from one invitee', () => {
  it('in one invitation -> flagged', () => {
    expect(checkTimeline('dave', [api('groupCall'), event('onUserEnter', { userID: 'carol' }), event('onReject', { userID: 'carol' })])).toEqual([
      'dave#2: both REJECT (or LINE_BUSY) and USER_ENTER from carol in one call',
    ]);
  });

  // Many devices: the busy answer goes once every device is busy, so no device of the user may enter after it.
  it('LINE_BUSY, then USER_ENTER in one invitation -> flagged', () => {
    expect(checkTimeline('dave', [api('groupCall'), event('onLineBusy', { userID: 'carol' }), event('onUserEnter', { userID: 'carol' })])).toEqual([
      'dave#2: both REJECT (or LINE_BUSY) and USER_ENTER from carol in one call',
    ]);
  });

  // PROPERTY_SEED=1509183706: Carol accepted, hung up while entering, was invited again and declined.
  it('entered on the first invitation, left, invited again and rejects that one -> not flagged', () => {
    const timeline = [
      api('groupCall'),
      event('onUserEnter', { userID: 'carol' }),
      event('onUserLeave', { userID: 'carol' }),
      invite('carol'),
      event('onReject', { userID: 'carol' }),
    ];
    expect(checkTimeline('dave', timeline)).toEqual([]);
  });

  it('invited again while still in the room, then a REJECT -> flagged', () => {
    const timeline = [api('groupCall'), event('onUserEnter', { userID: 'carol' }), invite('carol'), event('onReject', { userID: 'carol' })];
    expect(checkTimeline('dave', timeline)).toEqual(['dave#3: both REJECT (or LINE_BUSY) and USER_ENTER from carol in one call']);
  });
});

describe('checkTimeline: a device in the call ended by another device\'s answer', () => {
  const ringing = event('onInvited', { sponsor: 'alice', userIDList: ['bob'] });

  it('accepted, saw Alice enter, then CALL_END rejected -> flagged (its enter claimed the answer)', () => {
    const timeline = [ringing, api('accept'), event('onUserEnter', { userID: 'alice' }), event('onCallEnd', { reason: 'rejected' })];
    expect(checkTimeline('bob', timeline)).toEqual(['bob#3: CALL_END rejected after it accepted and was in the call']);
  });

  it('accepted, then CALL_END rejected before entering (the other device declined first) -> not flagged', () => {
    expect(checkTimeline('bob', [ringing, api('accept'), event('onCallEnd', { reason: 'rejected' })])).toEqual([]);
  });
});
