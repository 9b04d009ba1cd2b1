/** What the demo page says, in plain words: errors without doubled prefixes, how calls ended. */
import { describe, expect, it } from 'vitest';
import { clockText, names } from '../../demo/ui/dom';
import { describeError, endedInWords, kickedInWords } from '../../demo/ui/words';
import { CallingError, InvalidParameterError, InvalidStateError, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

describe('demo words', () => {
  it('errors: the reason only (the method prefix goes), a sentence; media codes say what to do', () => {
    expect([
      describeError(new InvalidParameterError('call', 'cannot call yourself')),
      describeError(new InvalidStateError('accept', 'the call is not ringing')),
      describeError(new CallingError(60005, 'permissionDenied', 'media permission denied (NotAllowedError)')),
      describeError(new CallingError(60004, 'noCamera', 'no camera')),
      describeError({ code: 60003, msg: 'no microphone' }),
      describeError({ code: 60006, msg: 'no WebRTC' }),
      describeError({ code: 2805, msg: 'no answer from the server in time' }),
      describeError(new Error('the server refused to sign in x (400)')),
    ]).toEqual([
      'Cannot call yourself.',
      'The call is not ringing.',
      'Camera and microphone are blocked. Allow them for this site (the camera icon in the address bar), then try again.',
      'No camera found. Plug one in, or make an audio call.',
      'No microphone found. Plug one in, then try again.',
      'This browser cannot use a camera and microphone here: they need https, or http://localhost.',
      'No answer from the server in time.',
      'The server refused to sign in x (400).',
    ]);
  });

  it("a parameter's error: the reason only, not the method or a path the reason names again (the demo said \"UserIDList: userIDList must not repeat a user.\")", async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const carol = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    const said = (p: Promise<unknown>) => p.then(() => 'resolved', describeError);
    expect([
      await said(carol.groupCall({ userIDList: ['bob', 'bob'], type: 2 })),
      await said(carol.groupCall({ userIDList: ['bob', 'b c'], type: 2 })),
      await said(carol.call({ userID: 'bob', type: 2, timeout: -3 })),
    ]).toEqual([
      'UserIDList must not repeat a user.',
      'UserIDList.1: userID must be 1-32 characters of A-Z, a-z, 0-9, - and _.',
      'Timeout must not be negative.',
    ]);
    // The constructor's prefix goes too (`?config=` with a key it does not take): the demo said "New TRTCCalling: config: ...".
    expect(await said(Promise.resolve().then(() => new TRTCCalling({ SDKAppID: 1, backend: net.backend(), config: { leaveGrace: 2000 } as never })))).toBe(
      'Config: unknown key leaveGrace (it takes noAnswerGraceMs, exitTimeoutMs, aloneTimeoutMs, leaveGraceMs, missingMemberMs).',
    );
    const done = carol.destroy();
    await net.advance(1_000);
    await done;
  });

  it('how a call ended, when nothing more precise was said', () => {
    const end = (reason: string, callEnd = 0, byMe = false, leftLast: string | null = null) => endedInWords({ reason, callEnd, byMe, leftLast });
    expect([
      end('hangup', 42, true),
      end('hangup', 75, false, 'bob'),
      end('hangup', 0, false),
      end('cancelled'),
      end('rejected'),
      end('busy'),
      end('noResponse'),
      end('timeout'),
      end('kickedOut'),
      end('answeredElsewhere'),
      end('error', 3),
      end('error', 65, false, 'bob'),
      end('error', 0, false, 'alice'),
    ]).toEqual([
      'You hung up · 0:42',
      'bob hung up · 1:15',
      'The others hung up',
      'You cancelled the call',
      'Declined',
      'Busy',
      'No answer',
      'Nobody answered in time',
      'You signed in somewhere else: this tab was signed out',
      'Answered on another device',
      'The call failed · 0:03',
      'Lost the connection to bob · 1:05',
      'The call failed',
    ]);
    // A call ended by the server's refusal of the userSig is no sign-in elsewhere (the page signs in again).
    expect([endedInWords({ reason: 'kickedOut', callEnd: 0, byMe: false, leftLast: null, kicked: 'multipleAccount' }), endedInWords({ reason: 'kickedOut', callEnd: 9, byMe: false, leftLast: null, kicked: 'userSigForged' })]).toEqual([
      'You signed in somewhere else: this tab was signed out',
      'Signed out by the server: the call ended',
    ]);
    expect([clockText(0), clockText(59_999), clockText(3_600_000 + 61_000), names(['bob']), names(['bob', 'carol']), names(['a', 'b', 'c'])]).toEqual([
      '0:00',
      '0:59',
      '1:01:01',
      'bob',
      'bob and carol',
      'a, b and c',
    ]);
  });

  it('signed out by the server: the words follow KICKED_OUT\'s reason (a restarted demo server refuses the old userSigs: no sign-in elsewhere)', () => {
    expect(['multipleAccount', 'userSigExpired', 'closedByServer', 'userSigForged'].map(kickedInWords)).toEqual([
      'You signed in somewhere else, so this tab was signed out.',
      'Your sign-in expired, so this tab was signed out. Sign in again.',
      "The server closed this tab's connection, so it was signed out. Sign in again.",
      "The server no longer accepts this tab's sign-in (userSigForged), so it was signed out. Sign in again.",
    ]);
  });
});
