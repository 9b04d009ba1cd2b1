/**
 * Attack: make the server write six times what one's budget pays for, with characters JSON must escape. A group
 * message's fan-out (`groupBytes.security.test.ts`) and a relay to the whole room pay for the bytes each copy makes
 * the server send; both measured the text as it is held (the payload's UTF-8, the relay's characters), and the server
 * writes it escaped inside its frame: a control character such as U+0001 is one byte of UTF-8 and six on the wire
 * (`\u0001`), a `"` or a `\` one and two. Mallory, a member of a group or a room, sent 8,192 of them as one 8 KiB
 * copy's worth (48 KiB written per member), or relayed 2,500 (15,000 bytes a copy) as 2,500 bytes a copy. Now both are
 * measured as written (`wireBytes`, `server/fanout.ts`): 8,192 control characters cost what 49,152 plain ones do.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fanoutCharge, wireBytes } from '../../server/fanout';
import { RawClient, testServer, type TestServer } from '../server/support';

let server: TestServer;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await server?.dispose();
});

const login = async (users: readonly string[]) => {
  const logged = await Promise.all(users.map((u) => RawClient.login(server.handle.url, u, { lean: true })));
  clients.push(...logged);
  return logged;
};
const outcome = (reply: { readonly type: string; readonly code?: unknown }) => (reply.type === 'ack' ? 'ack' : String(reply.code));

describe('the bytes a copy costs are the bytes the server writes', () => {
  it('Mallory sends 8,192 control characters (48 KiB as written) to a hall of 8 (burst 32) every 2.5 s for 30 s: one every other try, as 49,152 plain characters; 8,192 plain ones go at every try', async () => {
    // The members only listen, for two minutes: not dropped as idle meanwhile.
    server = await testServer({ idleTimeoutMs: 300_000, limits: { fanout: { perSecond: 16, burst: 32 }, maxGroupMembers: 8 } });
    const users = ['mallory', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'];
    server.handle.createGroup('hall', users);
    const [mallory, ...members] = await login(users);
    const tries = async (payload: string) => {
      const sent: number[] = [];
      for (let t = 0; t <= 30_000; t += 2_500) {
        const reply = await mallory!.request({ type: 'sendGroup', groupID: 'hall', payload, onlineUserOnly: true });
        if (reply.type === 'ack') sent.push(t);
        await server.clock.advance(2_500);
      }
      await server.clock.advance(10_000); // the budget full again for the next payload
      return sent;
    };
    const escaped = '\u0001'.repeat(8_192);
    expect(Buffer.byteLength(JSON.stringify({ payload: escaped })) - Buffer.byteLength(JSON.stringify({ payload: '' }))).toBe(49_152);
    // 8 copies of 6 units each, 48: more than the burst (32), taken from a full one (every 3 s at 16 a second), the rest
    // owed. Before, 8 units a message: it went at every try (and four at once), 1.5 MiB written for 256 KiB of budget.
    const every2 = [0, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000];
    expect(await tries(escaped)).toEqual(every2);
    expect(await tries('x'.repeat(49_152))).toEqual(every2);
    expect(await tries('x'.repeat(8_192))).toEqual(Array.from({ length: 13 }, (_, i) => i * 2_500));
    for (const m of members) await m.sync();
    const heard = (m: RawClient) => m.ofType('message').map((f) => f.payload);
    expect(members.map(heard)).toEqual(members.map(() => [...every2.map(() => '(8192 chars)'), ...every2.map(() => '(49152 chars)'), ...Array<string>(13).fill('(8192 chars)')]));
  }, 60_000); // 39 sends and 117 clock steps over real sockets: 0.4 s here when quiet

  it('Mallory relays 2,500 control characters (15,000 bytes as written) to a room of 20: three go on her 1 MiB byte burst, as 15,000 plain characters do', async () => {
    server = await testServer({});
    const users = ['mallory', ...Array.from({ length: 19 }, (_, i) => `u${i}`)];
    server.handle.grantRoom(77, users);
    const [mallory, ...members] = await login(users);
    const entered = await Promise.all([mallory!, ...members].map((c) => c.request({ type: 'roomEnter', roomID: 77, audio: true, video: true })));
    expect(entered.map((f) => f.type)).toEqual(users.map(() => 'roomInfo'));
    const relays = async (data: string) => {
      await server.clock.advance(10_000); // every budget full
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push(outcome(await mallory!.request({ type: 'relay', roomID: 77, data })));
      return out;
    };
    // A relay's frame pays its own bytes (15,000 and some) and its 18 more copies 18 x 15,000: 285 KB a relay, three in
    // 1 MiB. Before, 18 x 2,500 for the control characters: ten went (the 200 frames of the burst), 2.9 MB written.
    expect(await relays('\u0001'.repeat(2_500))).toEqual(['ack', 'ack', 'ack', 'rateLimited', 'rateLimited']);
    expect(await relays('x'.repeat(15_000))).toEqual(['ack', 'ack', 'ack', 'rateLimited', 'rateLimited']);
    for (const m of members) await m.sync();
    expect(members.map((m) => m.ofType('relayed').map((f) => (f.data as string).length))).toEqual(members.map(() => [2_500, 2_500, 2_500, 15_000, 15_000, 15_000]));
  }, 60_000); // 20 real sockets and some 200 frames of 15 KB: 0.5 s here when quiet, past vitest's 20 s at a load of 25-30

  it('wireBytes is the bytes of the text inside a frame as the server writes it, and at most 6 a code unit (lone surrogates, controls, any plane)', () => {
    const unit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }));
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.array(unit, { maxLength: 64 }).map((units) => String.fromCharCode(...units)));
    fc.assert(
      fc.property(text, (t) => {
        const written = Buffer.byteLength(JSON.stringify({ type: 'message', payload: t })) - Buffer.byteLength(JSON.stringify({ type: 'message', payload: '' }));
        expect(wireBytes(t)).toBe(written);
        expect(wireBytes(t)).toBeLessThanOrEqual(6 * t.length);
      }),
      { numRuns: 500 },
    );
  });

  it('a copy costs one unit per 8 KiB begun as written, at the edges: the unmeasured shortcut (<= 1,365 characters) and past it', () => {
    const units = (payload: string) => fanoutCharge(false, 1, payload);
    // 1,365 controls are 8,190 bytes written (the most the shortcut lets by unmeasured), 1,366 are 8,196: two units.
    expect(['\u0001'.repeat(1_365), '\u0001'.repeat(1_366), 'a'.repeat(1_366), 'a'.repeat(8_192), 'a'.repeat(8_193)].map(units)).toEqual([1, 2, 1, 1, 2]);
    // 4,096 quotes: 8,192 written, one unit; one more character of any kind begins a second.
    expect(['"'.repeat(4_096), `${'"'.repeat(4_096)}a`, '\u00e9'.repeat(4_096), `${'\u00e9'.repeat(4_096)}a`].map(units)).toEqual([1, 2, 1, 2]);
  });
});
