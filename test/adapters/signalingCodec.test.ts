/**
 * Codec goldens, both ways: Tencent's envelopes (captured where a capture exists, else assembled
 * from spec/wire-protocol.md 1.2 and 2.2) decode to the expected signal, and the signal encodes
 * back to the same fields and values. Robustness and properties: signalingCodec.robustness.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSignal, encodeSignal } from '../../adapters/signalingCodec';
import type { DecodeResult, WireSignal, WireSignalKind } from '../../machines/types';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Golden {
  readonly description: string;
  readonly source: string;
  readonly from: string;
  /** The envelope exactly as Tencent sends it (`data` is the inner JSON string). */
  readonly envelope: JsonObject;
  readonly signal: WireSignal;
  /** What our encoder sends when it cannot match Tencent's copy (see `note`). */
  readonly encoded?: JsonObject;
  readonly note?: string;
}

const GOLDEN_DIR = new URL('../fixtures/signaling/', import.meta.url);
const goldens = readdirSync(GOLDEN_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, golden: JSON.parse(readFileSync(new URL(name, GOLDEN_DIR), 'utf8')) as Golden }));

/** The envelope with its `data` string parsed too, so comparisons ignore key order only. */
function normalise(envelope: JsonObject): JsonObject {
  const data = envelope['data'];
  return typeof data === 'string' ? { ...envelope, data: JSON.parse(data) as Json } : envelope;
}

function decoded(result: DecodeResult): WireSignal {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  return result.signal;
}

describe('signaling codec goldens (test/fixtures/signaling)', () => {
  it('has one golden per message of spec 1.2 and 2.2', () => {
    expect(goldens.map((g) => g.name)).toEqual([
      'accept-switch.json',
      'accept.json',
      'cancel.json',
      'hangup.json',
      'invite-1v1.json',
      'invite-c2c-group.json',
      'invite-group.json',
      'reject-busy.json',
      'reject.json',
      'switch-audio.json',
      'switch-video.json',
      'timeout-group.json',
      'timeout.json',
    ]);
  });

  describe.each(goldens)('$name', ({ golden }) => {
    it('decodes Tencent\'s envelope to the signal', () => {
      expect(decodeSignal(JSON.stringify(golden.envelope), golden.from)).toStrictEqual({
        ok: true,
        signal: golden.signal,
      });
    });

    it('encodes the signal to the same fields and values', () => {
      const ours = JSON.parse(encodeSignal(golden.signal)) as JsonObject;
      expect(normalise(ours)).toStrictEqual(normalise(golden.encoded ?? golden.envelope));
    });

    it('round-trips: decode(encode(signal)) equals the signal', () => {
      expect(decoded(decodeSignal(encodeSignal(golden.signal), golden.from))).toStrictEqual(golden.signal);
    });
  });

  // Where a real capture exists and our encoding does not deviate on purpose, match it exactly.
  const captured = goldens.filter(({ golden }) => golden.source.startsWith('captured') && golden.encoded === undefined);
  it.each(captured)('$name: encodes byte for byte what Tencent\'s client sent', ({ golden }) => {
    expect(encodeSignal(golden.signal)).toBe(JSON.stringify(golden.envelope));
  });

  it('serialises envelope keys in TSignaling order, onlineUserOnly only on INVITE (spec 1.2)', () => {
    const order = ['businessID', 'inviteID', 'inviter', 'actionType', 'inviteeList', 'data', 'timeout', 'groupID'];
    for (const { golden } of goldens) {
      const keys = Object.keys(JSON.parse(encodeSignal(golden.signal)) as JsonObject);
      const isInvite = ['invite', 'hangup', 'switch'].includes(golden.signal.kind);
      expect(keys).toEqual(isInvite ? [...order, 'onlineUserOnly'] : order);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Every message Tencent's client sent in the captured calls

interface WireEntry {
  readonly seq: number;
  readonly from: string;
  readonly label: string;
  readonly envelope: JsonObject;
}
interface Capture {
  readonly wire: readonly WireEntry[];
  readonly timeline: readonly { kind: string; event?: string; payload?: JsonObject }[];
}

/** Real captures of Tencent's client, copied from shared/fixtures/tencent-wire. */
const CAPTURE_DIR = new URL('../fixtures/tencent-wire/', import.meta.url);
const captures = readdirSync(CAPTURE_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => ({ name, capture: JSON.parse(readFileSync(new URL(name, CAPTURE_DIR), 'utf8')) as Capture }));

const KIND_OF_LABEL: Readonly<Record<string, WireSignalKind>> = {
  INVITE: 'invite',
  'INVITE(hangup)': 'hangup',
  ACCEPT: 'accept',
  REJECT: 'reject',
  CANCEL: 'cancel',
  TIMEOUT: 'timeout',
};

describe('real Tencent traffic (fixtures/tencent-wire)', () => {
  it('found the captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(4);
  });

  const entries = captures.flatMap(({ name, capture }) =>
    capture.wire.map((entry) => ({ name, seq: entry.seq, entry })),
  );
  it.each(entries)('$name seq $seq decodes to the kind its label names', ({ entry }) => {
    const action = /^\S+ -> \S+ (\S+) /.exec(entry.label)?.[1] ?? '';
    const signal = decoded(decodeSignal(JSON.stringify(entry.envelope), entry.from));
    expect(signal.kind).toBe(KIND_OF_LABEL[action]);
    if (signal.kind === 'reject') expect(signal.busy).toBe(entry.label.includes('line_busy'));
    expect(decoded(decodeSignal(encodeSignal(signal), entry.from))).toStrictEqual(signal);
  });

  it('decoded invites carry what Tencent\'s callee reported in onInvited', () => {
    let checked = 0;
    for (const { capture } of captures) {
      for (const event of capture.timeline) {
        if (event.event !== 'onInvited' || event.payload === undefined) continue;
        const wire = capture.wire.find((w) => w.envelope['inviteID'] === event.payload?.['inviteID']);
        expect(wire).toBeDefined();
        if (wire === undefined) continue;
        const signal = decoded(decodeSignal(JSON.stringify(wire.envelope), wire.from));
        expect(signal.kind).toBe('invite');
        if (signal.kind !== 'invite') continue;
        expect({
          sponsor: signal.inviter,
          userIDList: signal.invitees,
          isFromGroup: signal.isGroup,
          inviteData: { version: 4, callType: signal.callType, callEnd: 0, roomID: signal.roomID },
          inviteID: signal.inviteID,
        }).toStrictEqual(event.payload);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Legacy and successor forms

const ID = 'c9e6b0ae-fbcf-4231-bf39-ed45769c0725';

function envelope(fields: JsonObject, inner?: JsonObject | string): string {
  const data = inner === undefined ? {} : { data: typeof inner === 'string' ? inner : JSON.stringify(inner) };
  return JSON.stringify({
    businessID: 1, inviteID: ID, inviter: 'alice', actionType: 1, inviteeList: ['bob'],
    timeout: 30, groupID: '', ...data, ...fields,
  });
}
function av(fields: JsonObject, data: JsonObject = {}): JsonObject {
  return { extraInfo: '', version: 4, businessID: 'av_call', platform: 'Web', ...fields, data: { message: '', ...data } };
}
const reject = (inner?: JsonObject | string): string =>
  envelope({ actionType: 4, timeout: 0 }, inner);

describe('busy markers (spec 2.4)', () => {
  it.each([
    ['line_busy "line_busy"', av({ call_type: 2, line_busy: 'line_busy' }, { cmd: 'videoCall' }), true],
    ['line_busy "" (other platforms)', av({ call_type: 2, line_busy: '' }, { cmd: 'videoCall' }), true],
    ['only data.message "lineBusy"', av({ call_type: 1 }, { cmd: 'audioCall', message: 'lineBusy' }), true],
    ['no marker', av({ call_type: 1 }, { cmd: 'audioCall' }), false],
  ])('a REJECT with %s is busy: %s', (_, inner, busy) => {
    const signal = decoded(decodeSignal(reject(inner), 'bob'));
    expect(signal).toMatchObject({ kind: 'reject', invitee: 'bob', busy });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not JSON', 'declined'],
    ['a JSON number', '42'],
  ])('answers from foreign clients may carry %s data: call type 0, not busy', (_, data) => {
    expect(decodeSignal(reject(data), 'bob')).toStrictEqual({
      ok: true,
      signal: { kind: 'reject', inviteID: ID, inviter: 'alice', groupID: '', callType: 0, invitee: 'bob', busy: false },
    });
  });
});

describe('legacy end markers and hangups (spec 2.3)', () => {
  const hangup = (callEnd: number, groupID = '', invitees = ['bob']) => ({
    ok: true,
    signal: { kind: 'hangup', inviteID: ID, inviter: 'alice', groupID, callType: 2, invitees, callEnd },
  });
  it.each([
    ['cmd "hangup" without call_end', {}, av({ call_type: 2 }, { cmd: 'hangup' }), hangup(0)],
    ['a group invite without room_id', { groupID: 'g' }, av({ call_type: 2 }, { cmd: 'videoCall' }), hangup(0, 'g')],
    ['a group invite with room_id 0', { groupID: 'g' }, av({ call_type: 2, room_id: 0 }, { cmd: 'videoCall' }), hangup(0, 'g')],
    ['a group invite with call_end 0', { groupID: 'g' }, av({ call_type: 2, room_id: 5, call_end: 0 }), hangup(0, 'g')],
    [
      'a C2C group invite (two userIDs) without room_id',
      {},
      av({ call_type: 2 }, { cmd: 'videoCall', userIDs: ['bob', 'carol'] }),
      hangup(0),
    ],
    ['a 1v1 invite with call_end 0', {}, av({ call_type: 2, room_id: 5, call_end: 0 }), hangup(0)],
    ['a 1v1 invite with call_end 7', {}, av({ call_type: 2, room_id: 5, call_end: 7 }), hangup(7)],
  ])('%s is a hangup', (_, fields, inner, expected) => {
    expect(decodeSignal(envelope(fields, inner), 'alice')).toStrictEqual(expected);
  });

  // call-engine-js 3.3.4 (its C++ engine) puts `call_end: 0` in every signal, its invites included,
  // beside `data.cmd` "audioCall"/"videoCall" (captured: test/interop/callEngine.test.ts). The legacy
  // end markers carry no call cmd.
  const CALL_ENGINE_334 =
    '{"businessID":"av_call","call_end":0,"call_type":2,"data":{"cmd":"videoCall","excludeFromHistoryMessage":true,"inviter":"alice",' +
    '"message":"","room_id":220539036,"str_room_id":"","userIDs":["bob"]},"platform":"Linux","room_id":220539036,"userData":"","version":4}\n';
  it('call-engine-js 3.3.4\'s 1v1 invite (call_end 0 beside cmd "videoCall") is an invitation', () => {
    const signal = decoded(decodeSignal(envelope({}, CALL_ENGINE_334), 'alice'));
    expect(signal).toMatchObject({ kind: 'invite', roomID: 220539036, callType: 2, isGroup: false, invitees: ['bob'] });
  });
  it('call-engine-js 3.3.4\'s group invite (call_end 0 beside cmd "audioCall") is an invitation', () => {
    const inner = av({ call_end: 0, call_type: 1, room_id: 5 }, { cmd: 'audioCall', room_id: 5, userIDs: ['bob', 'carol'] });
    const signal = decoded(decodeSignal(envelope({ groupID: 'g', inviteeList: ['bob', 'carol'] }, inner), 'alice'));
    expect(signal).toMatchObject({ kind: 'invite', roomID: 5, callType: 1, isGroup: true, groupID: 'g' });
  });

  // The same for a switch request (the review of that fix): beside `call_end: 0`, as call-engine-js 3.3.4 writes every
  // signal, it read as a hangup and ended the call it asked to switch.
  it.each([
    ['cmd "switchToAudio"', av({ call_end: 0, call_type: 2, room_id: 9 }, { cmd: 'switchToAudio', room_id: 9 }), 1],
    ['cmd "switchToVideo"', av({ call_end: 0, call_type: 1, room_id: 9 }, { cmd: 'switchToVideo', room_id: 9 }), 2],
    ['switch_to_audio_call', av({ call_end: 0, call_type: 2, room_id: 9, switch_to_audio_call: 'switch_to_audio_call' }, { room_id: 9 }), 1],
  ])('a 1v1 switch request (%s) beside call_end 0 is a switch', (_, inner, to) => {
    expect(decoded(decodeSignal(envelope({}, inner), 'alice'))).toMatchObject({ kind: 'switch', to });
  });

  // Its switch request too (captured: test/interop/callEngineSwitch.test.ts): `call_end: 0` beside
  // `cmd` "switchToAudio" and the switch marker. Read as an end marker, ours never answered it.
  const CALL_ENGINE_334_SWITCH =
    '{"businessID":"av_call","call_end":0,"call_type":2,"data":{"cmd":"switchToAudio","excludeFromHistoryMessage":true,"inviter":"",' +
    '"message":"","room_id":220539036,"str_room_id":""},"platform":"Linux","room_id":220539036,"switch_to_audio_call":"switch_to_audio_call","userData":"","version":4}\n';
  it('call-engine-js 3.3.4\'s switch request (call_end 0 beside cmd "switchToAudio") is a switch request', () => {
    const signal = decoded(decodeSignal(envelope({}, CALL_ENGINE_334_SWITCH), 'alice'));
    expect(signal).toMatchObject({ kind: 'switch', to: 1, roomID: 220539036, callType: 2, invitees: ['bob'] });
  });

  it('a 1v1 invite with a negative call_end is still an invitation', () => {
    const signal = decoded(decodeSignal(envelope({}, av({ call_type: 1, room_id: 5, call_end: -1 })), 'alice'));
    expect(signal).toMatchObject({ kind: 'invite', roomID: 5, callType: 1 });
  });

  it('a switch request inside an IM group is not a switch (1v1 only): it reads as an invitation', () => {
    const inner = av({ call_type: 2, room_id: 9 }, { cmd: 'switchToVideo', room_id: 9 });
    const signal = decoded(decodeSignal(envelope({ groupID: 'g' }, inner), 'alice'));
    expect(signal).toMatchObject({ kind: 'invite', isGroup: true, roomID: 9 });
  });

  it('switch_to_audio_call alone marks a switch to audio', () => {
    const inner = av({ call_type: 2, room_id: 9, switch_to_audio_call: 'switch_to_audio_call' }, { cmd: 'videoCall' });
    expect(decoded(decodeSignal(envelope({}, inner), 'alice'))).toMatchObject({ kind: 'switch', to: 1 });
  });
});

describe('TUICallEngine additions (spec 4.4)', () => {
  const tui = (fields: JsonObject, data: JsonObject): JsonObject => ({
    userData: 'custom', version: 4, businessID: 'av_call', platform: 'Web', ...fields,
    data: { message: '', inviter: 'alice', excludeFromHistoryMessage: true, ...data },
  });

  it('reads userData instead of extraInfo and data.inviter; room_id wins over str_room_id (TRTC\'s rule)', () => {
    const inner = tui({ call_type: 1, room_id: 4321 }, { cmd: 'audioCall', room_id: 4321, str_room_id: '999', userIDs: ['bob'] });
    expect(decodeSignal(envelope({}, inner), 'alice')).toStrictEqual({
      ok: true,
      signal: {
        kind: 'invite', inviteID: ID, inviter: 'alice', groupID: '', callType: 1, invitees: ['bob'],
        roomID: 4321, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false, rawData: JSON.stringify(inner),
      },
    });
  });

  it('falls back to data.room_id when the top-level room_id is gone', () => {
    const inner = tui({ call_type: 2, inCallUserIDs: ['alice'] }, { cmd: 'videoCall', room_id: 777, initialCallId: 'x' });
    const signal = decoded(decodeSignal(envelope({ groupID: 'g', inviteeList: ['bob', 'carol'] }, inner), 'alice'));
    expect(signal).toMatchObject({ kind: 'invite', roomID: 777, isGroup: true, invitees: ['bob', 'carol'] });
  });

  it('reads consumed:true on an answered 1v1 invite', () => {
    const inner = tui({ call_type: 2, room_id: 8 }, { cmd: 'videoCall', room_id: 8, consumed: true });
    expect(decoded(decodeSignal(envelope({}, inner), 'alice'))).toMatchObject({ kind: 'invite', consumed: true });
  });

  it('refuses a string room ID it cannot join', () => {
    const inner = tui({ call_type: 2 }, { cmd: 'videoCall', str_room_id: 'room-abc' });
    expect(decodeSignal(envelope({}, inner), 'alice')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses a string room of digits too, and room_id 0 beside it (what TUICallEngine sends for one): "424242" is not the room 424242', () => {
    for (const inner of [
      tui({ call_type: 1 }, { cmd: 'audioCall', str_room_id: '424242', userIDs: ['bob'] }),
      tui({ call_type: 1, room_id: 0 }, { cmd: 'audioCall', room_id: 0, str_room_id: '424242', userIDs: ['bob'] }),
    ]) {
      expect(decodeSignal(envelope({}, inner), 'alice')).toMatchObject({ ok: false, reason: 'malformed', detail: expect.stringMatching(/string room "424242"/) });
    }
  });

  it('refuses another application\'s TSignaling traffic as notCallSignal', () => {
    const other = { businessID: 'chat_poll', question: 'lunch?' };
    expect(decodeSignal(envelope({}, other), 'alice')).toMatchObject({ ok: false, reason: 'notCallSignal' });
    expect(decodeSignal(reject(other), 'bob')).toMatchObject({ ok: false, reason: 'notCallSignal' });
  });

  it('tolerates unknown envelope fields and null optionals', () => {
    const payload = envelope({ groupID: null, onlineUserOnly: null, offlinePushInfo: { title: 'x' }, extra: [1] }, av({ call_type: 2, room_id: 3 }));
    expect(decoded(decodeSignal(payload, 'alice'))).toMatchObject({ kind: 'invite', groupID: '', onlineUserOnly: false });
  });

  it('falls back to inviteeList when data.userIDs is not a list of strings', () => {
    const inner = av({ call_type: 2, room_id: 3 }, { cmd: 'videoCall', userIDs: 'bob' });
    expect(decoded(decodeSignal(envelope({}, inner), 'alice'))).toMatchObject({ kind: 'invite', invitees: ['bob'] });
  });
});
