/**
 * A fuzzer against the real server: generated frames (malformed JSON, wrong types, deep nesting,
 * prototype keys, oversize, binary, broken UTF-8, and valid frames with hostile values) from
 * logged-in and anonymous connections, while Alice and Bob call through the public API on the
 * same server. Nothing may crash it, no frame may be answered `internal`, memory stays bounded,
 * and the honest calls go exactly as without the fuzzer.
 *
 * `npm test` runs FUZZ_FRAMES=5000 (the default); `npm run test:fuzz` runs 100,000.
 * FUZZ_SEED=n replays a run (the seed is printed).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_FRAME_TYPES } from '../../adapters/ws/protocol';
import type { Logger } from '../../server/index';
import type { EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';
import { MIB, RawClient, defaultLimitsWorld, honestCall, memoryInUse } from './support';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BATCH = 500;
const FUZZERS = 4;

/** A frame to send: text (possibly not JSON at all) or binary. */
type Fuzz = { readonly text: string } | { readonly binary: Uint8Array; readonly asText: boolean };

const types = [...CLIENT_FRAME_TYPES];
const user = fc.oneof(fc.constantFrom('alice', 'bob', 'nobody', 'f0', 'f1', ''), fc.string({ maxLength: 40 }));
const hostile = fc.oneof(
  fc.anything({ maxDepth: 4, maxKeys: 5, withNullPrototype: true }),
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, Number.MAX_VALUE, '', 'x'.repeat(300), null, true, [], {}),
  user,
);
/** Frames of a real type with hostile field values. */
const shaped = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom(...types), fc.constantFrom('teleport', '__proto__', 'constructor', 'toString', 'hasOwnProperty')),
      rid: fc.oneof(fc.nat(), hostile),
      to: user,
      groupID: fc.oneof(fc.constantFrom('team', 'g'), hostile),
      roomID: fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }), hostile),
      payload: fc.oneof(fc.string({ maxLength: 200 }), hostile),
      onlineUserOnly: fc.oneof(fc.boolean(), hostile),
      members: fc.oneof(fc.array(user, { maxLength: 5 }), hostile),
      upTo: fc.oneof(fc.nat(), hostile),
      userID: user,
      userSig: fc.oneof(fc.string({ maxLength: 100 }), hostile),
      data: fc.oneof(fc.string({ maxLength: 100 }), hostile),
      call: fc.oneof(fc.record({ inviteID: hostile, roomID: hostile, invitees: hostile, timeout: hostile }, { requiredKeys: [] }), hostile),
      audio: fc.oneof(fc.boolean(), hostile),
      video: fc.oneof(fc.boolean(), hostile),
      // The fields later protocol versions added: folded receipts, resumption, devices, TURN, answers.
      received: fc.oneof(fc.nat({ max: 5000 }), hostile),
      answered: fc.oneof(fc.nat({ max: 5000 }), hostile),
      resume: fc.oneof(fc.string({ maxLength: 140 }), hostile),
      protocol: hostile,
      device: fc.oneof(fc.constantFrom('phone', 'laptop', 'a'.repeat(65), 'a b'), hostile),
      turn: fc.oneof(fc.constant(true), hostile),
      answer: fc.oneof(fc.record({ inviteID: fc.oneof(fc.constantFrom('i1', 'i2'), hostile), inviter: user, kind: fc.oneof(fc.constantFrom('accept', 'reject', 'busy', 'timeout'), hostile) }, { requiredKeys: [] }), hostile),
      joinRule: hostile,
    },
    { requiredKeys: ['type'] },
  )
  .map((frame) => ({ text: JSON.stringify(frame) ?? 'null' }));
/** Valid frames of the kinds that cost the server the most (stores, grants, relays). */
const valid = fc.oneof(
  fc.record({ type: fc.constant('sendC2C'), rid: fc.nat(), to: fc.constantFrom('nobody', 'f1', 'f2'), payload: fc.string({ maxLength: 2000 }), onlineUserOnly: fc.boolean() }),
  fc.record({ type: fc.constant('roomClaim'), rid: fc.nat(), roomID: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ type: fc.constant('roomEnter'), rid: fc.nat(), roomID: fc.integer({ min: 1, max: 50 }), audio: fc.boolean(), video: fc.boolean() }),
  fc.record({ type: fc.constant('relay'), rid: fc.nat(), roomID: fc.integer({ min: 1, max: 50 }), data: fc.string({ maxLength: 500 }) }),
  fc.record({ type: fc.constant('received'), upTo: fc.nat({ max: 5000 }) }),
  fc.record({ type: fc.constant('ping'), rid: fc.nat(), turn: fc.constant(true) }, { requiredKeys: ['type', 'rid'] }),
  // Invitations and answers to them, which the server files (grants, the answer ledger and its journal).
  fc.record({
    type: fc.constant('sendC2C'), rid: fc.nat(), to: fc.constantFrom('f0', 'f1', 'f2', 'nobody'), payload: fc.string({ maxLength: 200 }), onlineUserOnly: fc.boolean(),
    call: fc.record({ inviteID: fc.constantFrom('i1', 'i2', 'i3'), roomID: fc.integer({ min: 1, max: 50 }), invitees: fc.array(fc.constantFrom('f0', 'f1', 'f2', 'nobody'), { maxLength: 3 }), timeout: fc.integer({ min: 0, max: 60 }) }),
  }),
  fc.record({
    type: fc.constant('sendC2C'), rid: fc.nat(), to: fc.constantFrom('f0', 'f1', 'f2'), payload: fc.string({ maxLength: 200 }), onlineUserOnly: fc.boolean(),
    answer: fc.record({ inviteID: fc.constantFrom('i1', 'i2', 'i3'), inviter: fc.constantFrom('f0', 'f1', 'f2'), kind: fc.constantFrom('accept', 'reject', 'busy', 'timeout') }, { requiredKeys: ['inviteID', 'kind'] }),
  }),
  fc.record({ type: fc.constantFrom('presenceSubscribe', 'presenceUnsubscribe'), rid: fc.nat() }),
).map((frame) => ({ text: JSON.stringify(frame) }));
const deep = fc
  .tuple(fc.integer({ min: 2, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"type":'))
  .map(([n, open]) => ({ text: `{"type":${open.repeat(n)}0${(open === '[' ? ']' : '}').repeat(n)},"rid":1}` }));
const proto = fc
  .tuple(fc.constantFrom(...types), fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom('{}', '{"type":"login"}', '{"prototype":{"x":1}}', 'null', '[]'))
  .map(([type, key, value]) => ({ text: `{"${key}":${value},"type":"${type}","rid":3,"${key === '__proto__' ? 'constructor' : '__proto__'}":${value}}` }));
const broken = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ maxLength: 300, unit: 'binary' }),
  shaped.chain(({ text }) => fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut))),
  fc.constantFrom('', '{', '}', '[]', 'null', '"ping"', '1e999', '{"type":"ping","rid":1}{"type":"ping","rid":2}', '\u0000'),
).map((text) => ({ text }));
const oversize = fc.integer({ min: 60 * 1024, max: 128 * 1024 - 100 }).map((n) => ({ text: `{"type":"sendC2C","rid":1,"to":"nobody","onlineUserOnly":false,"payload":"${'y'.repeat(n)}"}` }));
const binary = fc.uint8Array({ maxLength: 1024 }).map((bytes) => ({ binary: bytes, asText: false }));
/** Frames the socket layer answers by closing: text that is not UTF-8 (1007), over the hard limit (1009). */
const closers = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ binary: Uint8Array.from([0xc3, 0x28, ...bytes]), asText: true })),
  fc.integer({ min: 128 * 1024 + 1, max: 200 * 1024 }).map((n) => ({ text: 'z'.repeat(n) })),
);

const fuzz: fc.Arbitrary<Fuzz> = fc.oneof(
  { weight: 30, arbitrary: shaped },
  { weight: 15, arbitrary: valid },
  { weight: 20, arbitrary: broken },
  { weight: 10, arbitrary: proto },
  { weight: 10, arbitrary: binary },
  { weight: 4, arbitrary: deep },
  { weight: 1, arbitrary: oversize },
  { weight: 1, arbitrary: closers },
);

/** True for a frame the server answers by closing the connection. */
const closes = (frame: Fuzz) => ('binary' in frame ? frame.asText : frame.text.length > 128 * 1024);

describe('fuzzing the server', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let bob: Party;
  let errors: string[];

  beforeEach(async () => {
    errors = [];
    const logger: Logger = { info: () => undefined, warn: () => undefined, error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields)}`) };
    const huge = { perSecond: 1e9, burst: 1e9 };
    // The fuzzers must reach the parser and the handlers, not the rate limits or the strikes
    // (those have tests of their own): everything but the sizes is opened wide.
    world = defaultLimitsWorld({
      server: {
        logger,
        rate: huge,
        maxStrikes: 1e9,
        limits: { userRate: huge, byteRate: huge, fanout: huge, ipConnectRate: huge, maxConnectionsPerIp: 1000 },
        // Every feature on, so that its frames reach its handlers: devices, presence, TURN.
        multiDevice: true,
        presence: true,
        turn: { urls: ['turn:turn.example.com:3478'], secret: 'fuzz' },
      },
    });
    alice = await world.user('alice');
    bob = await world.user('bob');
  });
  afterEach(() => world.dispose());

  it(`${FRAMES} generated frames: no crash, no internal answer, bounded memory, the honest pair unaffected`, async () => {
    console.log(`fuzz seed: ${SEED} (FUZZ_SEED=${SEED} FUZZ_FRAMES=${FRAMES} to replay)`);
    const server = await world.server();
    const url = server.url;
    await honestCall(world, alice, bob);
    const before = await memoryInUse();
    // Four logged-in fuzzers, one anonymous (cut after 8 KiB, reopened each batch), and one that
    // takes the frames the socket layer closes on (reopened as needed).
    const slots: (RawClient | null)[] = Array.from({ length: FUZZERS + 2 }, () => null);
    const ANON = FUZZERS;
    const CLOSER = FUZZERS + 1;
    const codes = new Map<string, number>();
    const count = (client: RawClient | null) => {
      for (const f of client?.ofType('error') ?? []) codes.set(String(f.code), (codes.get(String(f.code)) ?? 0) + 1);
    };
    // A fuzzer logs in as one of two devices in turn: the one before may still be held for its grace.
    const open = async (i: number) => (i === ANON ? RawClient.open(url, { lean: true }) : RawClient.login(url, `f${i}`, { lean: true, device: `d${logins % 2}` }));
    let sent = 0;
    let handled = 0;
    let logins = 0;
    const started = Date.now();
    for (let batch = 0; sent < FRAMES; batch++) {
      const frames = fc.sample(fuzz, { numRuns: Math.min(BATCH, FRAMES - sent), seed: SEED + batch });
      const load = slots.map(() => 0);
      for (const [n, frame] of frames.entries()) {
        const i = closes(frame) ? CLOSER : n % (FUZZERS + 1);
        if (!slots[i]?.open) {
          count(slots[i] ?? null);
          slots[i] = await open(i);
          logins++;
          load[i] = 0;
        }
        const client = slots[i] as RawClient;
        if ('text' in frame) client.send(frame.text);
        else client.sendBytes(frame.binary, !frame.asText);
        load[i] = (load[i] ?? 0) + 1;
      }
      sent += frames.length;
      for (const [i, client] of slots.entries()) {
        if (!client?.open) continue;
        // A rid no fuzz frame uses: its pong means everything sent before it was handled.
        const rid = 2 ** 52 + sent + i;
        client.send({ type: 'ping', rid });
        const alive = await client.next((f) => f.rid === rid, 'the end of a batch').then(() => client.open, () => false);
        if (alive) handled += load[i] ?? 0;
        if (alive && i < ANON) continue;
        count(client);
        client.terminate();
        slots[i] = null;
      }
      if (batch % 40 === 20) await honestCall(world, alice, bob); // in the middle of it all
    }
    const seconds = (Date.now() - started) / 1000;
    for (const client of slots) {
      count(client);
      client?.terminate();
    }
    const grown = (await memoryInUse()) - before;
    console.log(
      `fuzz: ${sent} frames (${handled} confirmed handled) in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)} frames/s), ` +
        `${logins} connections, memory +${(grown / MIB).toFixed(1)} MiB; answers ${JSON.stringify(Object.fromEntries(codes))}`,
    );
    expect(codes.get('internal')).toBeUndefined();
    expect(server.metrics().refused.internal).toBeUndefined();
    expect(errors).toEqual([]);
    expect(grown).toBeLessThan(64 * MIB);
    expect(handled).toBeGreaterThan(sent * 0.7);
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
    await honestCall(world, alice, bob);
  }, Math.max(60_000, FRAMES * 5));
});
