/** The wire protocol's schemas, as both sides read frames. */
import { describe, expect, it } from 'vitest';
import { MAX_TIMEOUT_SECONDS } from '../../../adapters/signalingSchema';
import {
  CLIENT_FRAME_TYPES,
  ClientFrameSchema,
  MAX_CALL_TIMEOUT_SECONDS,
  MAX_DEPTH,
  nestedDeeperThan,
  parseClientFrame,
  parseServerFrame,
  peekRid,
  utf8Length,
  validateClientFrame,
  type ClientRequest,
} from '../../../adapters/ws/protocol';
import { encodeRequest } from '../../../adapters/ws/requests';

/** `items` behind a proxy that counts the items read (an attacker's list: what validating it costs). */
function counted(items: unknown[]): { list: unknown[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list, reads: () => reads };
}

describe('protocol', () => {
  it('reads a client frame; unknown fields are dropped (a claimed `from` never survives)', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'sendC2C', rid: 3, to: 'bob', payload: 'p', onlineUserOnly: true, from: 'alice' }))).toEqual({
      ok: true,
      frame: { type: 'sendC2C', rid: 3, to: 'bob', payload: 'p', onlineUserOnly: true },
    });
  });

  it('refuses with a code, and the rid when it could read one', () => {
    const refusal = (text: string) => {
      const read = parseClientFrame(text);
      return read.ok ? 'ok' : [read.code, read.rid];
    };
    expect([
      refusal('nope'),
      refusal('[1,2]'),
      refusal('{"type":"fly","rid":4}'),
      refusal('{"rid":5}'),
      refusal('{"type":"ping","rid":-1}'),
      refusal('{"type":"relay","rid":6,"roomID":1.5,"data":"x"}'),
      refusal('{"type":"groupCreate","rid":7,"groupID":"has space","members":[]}'),
      refusal('{"type":"login","rid":8,"userID":"' + 'a'.repeat(33) + '","userSig":"s"}'),
    ]).toEqual([
      ['badJson', undefined],
      ['badFrame', undefined],
      ['unknownType', 4],
      ['unknownType', 5],
      ['badFrame', undefined],
      ['badFrame', 6],
      ['badFrame', 7],
      ['badFrame', 8],
    ]);
  });

  it('the cheap type check knows exactly the types the schema accepts', () => {
    const schemaTypes = ClientFrameSchema.options.map((o) => o.entries.type.literal);
    expect([...CLIENT_FRAME_TYPES].sort()).toEqual([...schemaTypes].sort());
  });

  it('reads server frames, tolerating fields it does not know', () => {
    expect(parseServerFrame('{"type":"userLeft","roomID":5,"userID":"bob","extra":1}')).toEqual({
      ok: true,
      frame: { type: 'userLeft', roomID: 5, userID: 'bob' },
    });
    expect(parseServerFrame('{"type":"error","code":"noSuchThing","message":"x"}')).toMatchObject({ ok: false, code: 'badFrame' });
  });

  it('picks a server frame\'s schema by its type, and says which type it refused and why', () => {
    expect(parseServerFrame('{"type":"relayed","roomID":5,"from":"bob","data":"x","held":0}')).toEqual({
      ok: false,
      code: 'badFrame',
      message: expect.stringMatching(/^relayed: held: /),
    });
    expect(parseServerFrame('{"type":"teleport","roomID":5}')).toEqual({ ok: false, code: 'badFrame', message: 'unknown frame type "teleport"' });
    for (const text of ['[1]', '"ack"', 'null', '{"rid":1}', '{"type":7}']) {
      expect(parseServerFrame(text)).toEqual({ ok: false, code: 'badFrame', message: 'a frame must be an object with a type' });
    }
  });

  // Review of 3b22224 (2026-12-07): a frame's type picks its schema from a table; a name every object inherits
  // (`constructor`, `toString`, `__proto__`) is no type of ours on either side, refused as unknown, never a crash.
  it('a type named as an inherited property is an unknown type, server frame, client frame and request alike', () => {
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(parseServerFrame(JSON.stringify({ type, rid: 1 }))).toEqual({ ok: false, code: 'badFrame', message: `unknown frame type "${type}"` });
      expect(parseClientFrame(JSON.stringify({ type, rid: 1 }))).toEqual({ ok: false, code: 'unknownType', message: `unknown frame type "${type}"`, rid: 1 });
      expect(() => encodeRequest({ type } as unknown as ClientRequest, 1)).toThrow(`invalid request type "${type}"`);
    }
  });

  it('refuses a frame nested deeper than MAX_DEPTH before parsing it, with the rid it can read without parsing', () => {
    const deep = (n: number) => `{"type":${'['.repeat(n)}${']'.repeat(n)},"rid":9}`;
    expect(parseClientFrame(deep(100_000))).toEqual({ ok: false, code: 'badFrame', message: `a frame nests at most ${MAX_DEPTH} deep`, rid: 9 });
    expect(parseClientFrame(deep(3))).toMatchObject({ ok: false, code: 'unknownType', message: 'unknown frame type of type object', rid: 9 });
    expect([nestedDeeperThan('{"a":"[[[[[[[[[[[[[[["}', 2), nestedDeeperThan('{"a":"\\"}', 1), nestedDeeperThan('[[[', 2)]).toEqual([false, false, true]);
    expect([peekRid('{"type":"ping","rid":42}'), peekRid('{"rid":7,"type":"x"'), peekRid('{"type":"x"}'), peekRid('{"rid":99999999999999999}')]).toEqual([
      42,
      7,
      undefined,
      undefined,
    ]);
  });

  it('bounds an invitation\'s ring time as the codec does (one day)', () => {
    expect(MAX_CALL_TIMEOUT_SECONDS).toBe(MAX_TIMEOUT_SECONDS);
    const send = (timeout: number) =>
      parseClientFrame(JSON.stringify({ type: 'sendC2C', rid: 1, to: 'bob', payload: 'p', onlineUserOnly: false, call: { inviteID: 'i', roomID: 5, invitees: ['bob'], timeout } }));
    expect([send(86_400).ok, send(86_401).ok, send(-1).ok]).toEqual([true, false, false]);
  });

  it('a bad list costs one look at its items, and one over 1000 long none: validation stops at the first problem', () => {
    const bad = counted(Array.from({ length: 1000 }, () => 0));
    const refusedBad = validateClientFrame({ type: 'groupCreate', rid: 1, groupID: 'g', members: bad.list });
    expect(refusedBad).toMatchObject({ ok: false, code: 'badFrame', rid: 1 });
    expect(bad.reads()).toBe(1);
    const long = counted(Array.from({ length: 32_000 }, () => 'a')); // about what fits in a 64 KiB frame
    const refusedLong = validateClientFrame({ type: 'sendC2C', rid: 2, to: 'bob', payload: '', onlineUserOnly: false, call: { inviteID: 'i', roomID: 1, invitees: long.list, timeout: 30 } });
    expect(refusedLong).toMatchObject({ ok: false, code: 'badFrame', rid: 2 });
    expect(long.reads()).toBe(0);
    const fine = counted(['alice', 'bob']);
    expect(validateClientFrame({ type: 'groupCreate', rid: 3, groupID: 'g', members: fine.list })).toMatchObject({ ok: true, frame: { members: ['alice', 'bob'] } });
  });

  it('measures UTF-8 bytes', () => {
    expect([utf8Length('abc'), utf8Length('é'), utf8Length('中'), utf8Length('😀')]).toEqual([3, 2, 3, 4]);
    expect(utf8Length('中文😀x')).toBe(Buffer.byteLength('中文😀x'));
  });
});
