/**
 * The codec against hostile and broken input: every refusal has its typed reason, nothing
 * throws, a spoofed sender is caught, and generated signals round-trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_LENGTH, decodeSignal, encodeSignal } from '../../adapters/signalingCodec';
import { MAX_TIMEOUT_SECONDS } from '../../adapters/signalingSchema';
import type { CallType, DecodeErrorReason, DecodeResult, InviteSignal, WireSignal } from '../../machines/types';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ID = 'c9e6b0ae-fbcf-4231-bf39-ed45769c0725';
const INVITE_DATA: JsonObject = {
  extraInfo: '', version: 4, call_type: 2, room_id: 62707394, businessID: 'av_call', platform: 'Web',
  data: { cmd: 'videoCall', room_id: 62707394, message: '', userIDs: ['bob'] },
};
const ANSWER_DATA: JsonObject = {
  extraInfo: '', version: 4, call_type: 2, businessID: 'av_call', platform: 'Web',
  data: { cmd: 'videoCall', message: '' },
};

/** A valid 1v1 invite from alice, with `fields` replaced (`undefined` removes a field). */
function invite(fields: { [key: string]: Json | undefined } = {}, inner: JsonObject = {}): string {
  return JSON.stringify({
    businessID: 1, inviteID: ID, inviter: 'alice', actionType: 1, inviteeList: ['bob'],
    data: JSON.stringify({ ...INVITE_DATA, ...inner }), timeout: 30, groupID: '', onlineUserOnly: false,
    ...fields,
  });
}
function answer(actionType: number, inviteeList: string[] = ['bob']): string {
  return invite({ actionType, inviteeList, data: JSON.stringify(ANSWER_DATA), timeout: 0, onlineUserOnly: undefined });
}

function expectRefused(result: DecodeResult, reason: DecodeErrorReason): void {
  expect(result).toMatchObject({ ok: false, reason });
  if (!result.ok) {
    expect(result.detail.length).toBeGreaterThan(0);
    expect(result.detail.length).toBeLessThanOrEqual(200);
  }
}

const MB = 'x'.repeat(1024 * 1024);

describe('refusals carry their typed reason', () => {
  it.each<[string, string, DecodeErrorReason]>([
    ['not JSON', 'hello {', 'notJson'],
    ['an empty string', '', 'notJson'],
    ['a JSON array', '[1,2,3]', 'notSignaling'],
    ['a JSON string', '"businessID"', 'notSignaling'],
    ['JSON null', 'null', 'notSignaling'],
    ['businessID 2', invite({ businessID: 2 }), 'notSignaling'],
    ['businessID "av_call" (legacy whole-message form)', JSON.stringify(INVITE_DATA), 'notSignaling'],
    ['no businessID', invite({ businessID: undefined }), 'notSignaling'],
    ['missing inviteID', invite({ inviteID: undefined }), 'malformed'],
    ['an inviteID of the wrong type', invite({ inviteID: 42 }), 'malformed'],
    ['an empty inviteID', invite({ inviteID: '' }), 'malformed'],
    ['an inviteID over 128 characters', invite({ inviteID: 'i'.repeat(129) }), 'malformed'],
    ['a 1 MB inviteID', invite({ inviteID: MB }), 'tooLarge'],
    ['missing inviter', invite({ inviter: undefined }), 'malformed'],
    ['actionType 9', invite({ actionType: 9 }), 'unknownAction'],
    ['actionType 0', invite({ actionType: 0 }), 'unknownAction'],
    ['actionType "1"', invite({ actionType: '1' }), 'malformed'],
    ['missing actionType', invite({ actionType: undefined }), 'malformed'],
    ['inviteeList not an array', invite({ inviteeList: 'bob' }), 'malformed'],
    ['inviteeList with a number', invite({ inviteeList: ['bob', 7] }), 'malformed'],
    ['a negative timeout', invite({ timeout: -1 }), 'malformed'],
    ['a string timeout', invite({ timeout: '30' }), 'malformed'],
    ['a timeout over one day', invite({ timeout: MAX_TIMEOUT_SECONDS + 1 }), 'malformed'],
    ['data that is not a string', invite({ data: { call_type: 2 } }), 'malformed'],
    ['call_type 3 on an invite', invite({}, { call_type: 3 }), 'malformed'],
    ['no call_type on an invite', invite({}, { call_type: null }), 'malformed'],
    ['room_id "abc"', invite({}, { room_id: 'abc' }), 'malformed'],
    ['a negative room_id', invite({}, { room_id: -5 }), 'malformed'],
    ['a fractional room_id', invite({}, { room_id: 1.5 }), 'malformed'],
    ['no room_id anywhere', invite({}, { room_id: null, data: { cmd: 'videoCall' } }), 'malformed'],
    ['an invite without data', invite({ data: undefined }), 'malformed'],
    ['an invite with empty data', invite({ data: '' }), 'malformed'],
    ['an invite whose data is not JSON', invite({ data: 'videoCall' }), 'malformed'],
    ['an invite whose data is a JSON array', invite({ data: '[2]' }), 'malformed'],
    ['an invite with nobody invited', invite({ inviteeList: [] }, { data: { cmd: 'videoCall', room_id: 1 } }), 'malformed'],
    ['an accept with an empty inviteeList', answer(3, []), 'malformed'],
    ['a reject without inviteeList', invite({ actionType: 4, inviteeList: undefined }), 'malformed'],
    ['an invite of another application', invite({}, { businessID: 'whiteboard' }), 'notCallSignal'],
    ['a 1 MB string payload', MB, 'tooLarge'],
    ['a 1 MB string inside data', invite({ data: MB }), 'tooLarge'],
  ])('%s -> %s', (_, payload, reason) => {
    expectRefused(decodeSignal(payload, 'alice'), reason);
  });

  it('accepts a payload of exactly MAX_PAYLOAD_LENGTH characters and refuses one more', () => {
    const base = invite({ pad: '' });
    const exact = invite({ pad: 'p'.repeat(MAX_PAYLOAD_LENGTH - base.length) });
    expect(exact.length).toBe(MAX_PAYLOAD_LENGTH);
    expect(decodeSignal(exact, 'alice').ok).toBe(true);
    expectRefused(decodeSignal(`${exact} `, 'alice'), 'tooLarge');
  });

  it('accepts an inviteID of exactly 128 characters', () => {
    expect(decodeSignal(invite({ inviteID: 'i'.repeat(128) }), 'alice').ok).toBe(true);
  });

  it('keeps detail short when valibot quotes a huge wrong-typed value', () => {
    expectRefused(decodeSignal(invite({ inviter: 7, inviteeList: 'b'.repeat(10_000) }), 'alice'), 'malformed');
    expectRefused(decodeSignal(invite({ inviteeList: 'b'.repeat(10_000) }), 'alice'), 'malformed');
  });

  it('does not throw on a payload that is not a string at run time', () => {
    for (const payload of [undefined, null, 42, {}, []]) {
      expectRefused(decodeSignal(payload as unknown as string, 'alice'), 'notJson');
    }
  });
});

describe('sender spoofing', () => {
  it.each<[string, string, string]>([
    ['an invite from someone who is not the inviter', invite(), 'mallory'],
    ['a cancel from a non-inviter', answer(2), 'bob'],
    ['an accept from someone who is not the invitee', answer(3), 'carol'],
    ['an accept sent by the inviter on the invitee\'s behalf', answer(3), 'alice'],
    ['a reject from someone who is not the invitee', answer(4), 'mallory'],
    ['a timeout from an outsider', answer(5), 'mallory'],
    ['a timeout from an invitee that names another invitee too (a group member timing the others out)', answer(5, ['bob', 'carol']), 'bob'],
    ['a hangup from someone other than its sender', invite({ timeout: 0 }, { data: { cmd: 'hangup', message: '' } }), 'bob'],
    ['a switch request from the other party', invite({}, { data: { cmd: 'switchToAudio', room_id: 1 } }), 'bob'],
  ])('%s -> senderMismatch', (_, payload, from) => {
    expectRefused(decodeSignal(payload, from), 'senderMismatch');
  });

  it.each([['alice'], ['bob']])('a timeout notice may come from the inviter or an invitee (%s)', (from) => {
    expect(decodeSignal(answer(5), from)).toMatchObject({ ok: true, signal: { kind: 'timeout', invitees: ['bob'] } });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

function expectWellFormed(result: DecodeResult): void {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) expect(typeof result.detail).toBe('string');
}

/** Junk in every envelope and av_call field, so the deeper decoding paths see it too. */
const junk = fc.oneof(fc.anything(), fc.json().map((text) => JSON.parse(text) as unknown));
const junkEnvelope = fc.record(
  {
    businessID: fc.oneof(fc.constant(1), junk),
    inviteID: fc.oneof(fc.uuid(), junk),
    inviter: fc.oneof(fc.constantFrom('alice', 'bob'), junk),
    actionType: fc.oneof(fc.integer({ min: 0, max: 6 }), junk),
    inviteeList: fc.oneof(fc.constant(['bob']), fc.array(fc.string(), { maxLength: 3 }), junk),
    data: fc.oneof(
      fc.record(
        {
          call_type: fc.oneof(fc.constantFrom(0, 1, 2), junk),
          room_id: fc.oneof(fc.nat(), junk),
          call_end: fc.oneof(fc.integer({ min: -1, max: 5 }), junk),
          line_busy: fc.oneof(fc.constantFrom('', 'line_busy'), junk),
          businessID: fc.oneof(fc.constant('av_call'), junk),
          data: fc.oneof(
            fc.record({ cmd: fc.oneof(fc.constantFrom('hangup', 'switchToAudio'), junk), userIDs: junk, str_room_id: junk }, { requiredKeys: [] }),
            junk,
          ),
        },
        { requiredKeys: [] },
      ).map((inner) => JSON.stringify(inner)),
      fc.string(),
      junk,
    ),
    timeout: fc.oneof(fc.nat(), junk),
    groupID: fc.oneof(fc.constantFrom('', 'g'), junk),
  },
  { requiredKeys: [] },
);

// A generated signal with the user who may send it. Constraints mirror what a decoder can tell
// from the wire: `isGroup` is derived, a group call needs a room (room 0 is a legacy end marker),
// invitations and switches name a real call type, switches are 1v1.
const userID = fc.string({ minLength: 1, maxLength: 12, unit: 'binary' });
const users = (minLength: number) => fc.uniqueArray(userID, { minLength, maxLength: 5 });
const callType = fc.constantFrom<CallType>(1, 2);
const anyCallType = fc.constantFrom<CallType | 0>(0, 1, 2);
const roomID = fc.integer({ min: 1, max: 2 ** 32 - 1 });
const base = {
  inviteID: fc.oneof(fc.uuid({ version: 4 }), fc.string({ minLength: 1, maxLength: 64, unit: 'binary' })),
  inviter: userID,
  groupID: fc.oneof(fc.constant(''), userID),
};
type Sent = { signal: WireSignal; sender: string };

const wireSignal: fc.Arbitrary<Sent> = fc.oneof(
  fc.record({ ...base, callType, invitees: users(1), roomID, timeout: fc.nat({ max: MAX_TIMEOUT_SECONDS }), onlineUserOnly: fc.boolean(), consumed: fc.boolean() })
    .map((s): Sent => ({ signal: { ...s, kind: 'invite', isGroup: s.groupID !== '' || s.invitees.length >= 2 }, sender: s.inviter })),
  fc.record({ ...base, callType: anyCallType, invitee: userID })
    .map((s): Sent => ({ signal: { ...s, kind: 'accept' }, sender: s.invitee })),
  fc.record({ ...base, callType: anyCallType, invitee: userID, busy: fc.boolean() })
    .map((s): Sent => ({ signal: { ...s, kind: 'reject' }, sender: s.invitee })),
  fc.record({ ...base, callType: anyCallType, invitees: users(0) })
    .map((s): Sent => ({ signal: { ...s, kind: 'cancel' }, sender: s.inviter })),
  // The inviter's notice names whoever did not answer; an invitee's names itself alone.
  fc.record({ ...base, callType: anyCallType, invitees: users(0) }).chain((s) =>
    fc.constantFrom(s.inviter, ...s.invitees).map((sender): Sent => ({ signal: { ...s, kind: 'timeout', invitees: sender === s.inviter ? s.invitees : [sender] }, sender })),
  ),
  fc.record({ ...base, callType: anyCallType, invitees: users(0), callEnd: fc.nat() })
    .map((s): Sent => ({ signal: { ...s, kind: 'hangup' }, sender: s.inviter })),
  fc.record({ ...base, groupID: fc.constant(''), callType, invitees: users(0), roomID, to: callType })
    .map((s): Sent => ({ signal: { ...s, kind: 'switch' }, sender: s.inviter })),
);

describe('properties', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string(), (payload, from) => {
      expectWellFormed(decodeSignal(payload, from));
    }));
  });

  it('never throws on arbitrary JSON (fc.json, fc.anything stringified)', () => {
    const text = fc.oneof(fc.json(), fc.anything().map((value) => JSON.stringify(value) ?? 'undefined'));
    fc.assert(fc.property(text, (payload) => expectWellFormed(decodeSignal(payload, 'alice'))));
  });

  it('never throws on envelope-shaped junk', () => {
    fc.assert(
      fc.property(junkEnvelope, fc.constantFrom('alice', 'bob'), (env, from) => {
        expectWellFormed(decodeSignal(JSON.stringify(env) ?? '', from));
      }),
      { numRuns: 500 },
    );
  });

  it('decode(encode(signal), sender) round-trips every valid signal (an invite or timeout also keeps its data string)', () => {
    fc.assert(
      fc.property(wireSignal, ({ signal, sender }) => {
        const encoded = encodeSignal(signal);
        const rawData = (JSON.parse(encoded) as { data: string }).data;
        const expected = signal.kind === 'invite' || signal.kind === 'timeout' ? { ...signal, rawData } : signal;
        expect(decodeSignal(encoded, sender)).toStrictEqual({ ok: true, signal: expected });
      }),
      { numRuns: 500 },
    );
  });

  it('a timeout notice repeats its invite\'s data byte for byte: the raw string received, else our own invite\'s', () => {
    const invite = fc.record({ ...base, callType, invitees: users(1), roomID, timeout: fc.nat(), onlineUserOnly: fc.boolean(), consumed: fc.boolean() })
      .map((s): InviteSignal => ({ ...s, kind: 'invite', isGroup: s.groupID !== '' || s.invitees.length >= 2 }));
    fc.assert(
      fc.property(invite, fc.string(), (s, foreign) => {
        const inviteData = (JSON.parse(encodeSignal(s)) as { data: string }).data;
        const notice = { kind: 'timeout', inviteID: s.inviteID, inviter: s.inviter, groupID: s.groupID, callType: s.callType, invitees: [s.invitees[0] ?? ''] } as const;
        expect((JSON.parse(encodeSignal({ ...notice, invite: s })) as { data: string }).data).toBe(inviteData);
        expect((JSON.parse(encodeSignal({ ...notice, rawData: foreign, invite: s })) as { data: string }).data).toBe(foreign);
      }),
      { numRuns: 200 },
    );
  });
});
