/**
 * A relay to the whole room pays for its copies beyond the first in the bytes the server writes: the frame each member
 * gets, `{"type":"relayed","roomID":..,"from":..,"data":..}`, not its data alone. Since the afternoon's
 * `escapedBytes.security.test.ts` the data was measured escaped (`wireBytes`), on its own, and the frame then written
 * to JSON once per copy; the frame is now written once for all copies (`RelayOut`, `server/rooms.ts`) and its bytes
 * are the charge, some 50 more a copy (a relay of one character to a room of 20 writes about 60 bytes to each member,
 * and was charged one each). Left by the attacker review of 2026-12-07, done the same evening; shown at the edge of a
 * byte budget: the longest relay whose frame and copies fit the burst goes, one character more is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type Frame, type TestServer } from '../server/support';
import { c2cInvite } from './support';

let server: TestServer;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await server?.dispose();
});

const BURST = 16_384;
const bytes = (frame: object) => Buffer.byteLength(JSON.stringify(frame));

describe('a relay to the room is charged the bytes of the frames written', () => {
  it('Mallory relays to a room of 5: the most data whose frame and three more copies fit a byte burst of 16,384 goes; one character more is refused', async () => {
    server = await testServer({ limits: { byteRate: { perSecond: BURST, burst: BURST }, maxFrameBytes: BURST } });
    const users = ['mallory', 'u1', 'u2', 'u3', 'u4'];
    server.handle.grantRoom(77, users);
    const [mallory, ...members] = await Promise.all(users.map((u) => RawClient.login(server.handle.url, u)));
    clients.push(mallory!, ...members);
    for (const c of [mallory!, ...members]) expect(await c.request({ type: 'roomEnter', roomID: 77, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    // Her frame as sent, and the frame each of the other 4 members is written (3 copies beyond the first).
    const sent = (data: string, rid: number) => ({ type: 'relay', roomID: 77, data, rid });
    const written = (data: string) => ({ type: 'relayed', roomID: 77, from: 'mallory', data });
    const cost = (data: string, rid: number) => bytes(sent(data, rid)) + 3 * bytes(written(data));
    // Each character of plain data is a byte of her frame and of each of the 3 copies: the longest that fits, worked
    // out (a loop adding a character at a time wrote 130 MB of JSON, 13-49 s in a worker that 300 files had filled).
    const data = 'x'.repeat(Math.floor((BURST - cost('', 100)) / 4));
    expect([cost(data, 100) <= BURST, cost(`${data}x`, 101) > BURST]).toEqual([true, true]); // a character is 4 bytes of it
    const relay = async (d: string, rid: number): Promise<Frame> => {
      await server.clock.advance(2_000); // the budget full
      mallory!.send(sent(d, rid));
      return mallory!.next((f) => f.rid === rid, `the answer to relay #${rid}`);
    };
    expect(await relay(data, 100)).toMatchObject({ type: 'ack' });
    // Charged the data alone (its escaped bytes, 3 times), this one went too: 3 x 55 bytes of frame under the burst.
    expect(await relay(`${data}x`, 101)).toMatchObject({ type: 'error', code: 'rateLimited' });
    for (const m of members) await m.sync();
    expect(members.map((m) => m.ofType('relayed').map((f) => (f.data as string).length))).toEqual(members.map(() => [data.length]));
    expect(server.handle.metrics().limits).toMatchObject({ relayFanout: 1 });
  });
});

/**
 * Many devices: a relay held for a ringing invitee goes at once, marked `early`, to each of its devices, and those beyond
 * the first pay the fan-out budget, one unit per 8 KiB begun of the frame each is written as (`frameUnits`). That frame
 * carries the relay's number and mark, `"held":1,"early":true`: until 2026-12-07 night the charge was worked out by
 * asking first what the relay would do (`Rooms.earlyCopies`) and priced the frame without them, 22 bytes short, so a
 * copy of 8,193 bytes cost one unit. The relay now counts its early copies itself and is paid for them in the text
 * it writes, before it holds or sends anything (`Rooms.relay`'s `payEarly`). Shown at the edge of a unit.
 */
describe('an early relay is charged the frame its copies are written as', () => {
  it('Mallory relays to Bob ringing on 2 devices: an early copy of 8,192 bytes costs one unit, one of 8,193 two', async () => {
    server = await testServer({ multiDevice: true, limits: { fanout: { perSecond: 8, burst: 8 }, maxGroupMembers: 8 } });
    const bob = await Promise.all([0, 1].map((i) => RawClient.login(server.handle.url, 'bob', { device: `bob-${i}` })));
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    clients.push(mallory, ...bob);
    expect(await mallory.request({ type: 'roomClaim', roomID: 9 })).toMatchObject({ type: 'ack' });
    expect(await mallory.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    // Its copy to Bob's second device: one unit of her 8.
    expect(await mallory.request(c2cInvite('bob', 9, 'i1', true))).toMatchObject({ type: 'ack' });
    // Each copy as Bob's devices are written it (held 1 to 9: one digit each).
    const early = (data: string, held: number) => ({ type: 'relayed', roomID: 9, from: 'mallory', data, held, early: true });
    const edge = 'x'.repeat(8_192 - bytes(early('', 1)));
    const relays = (data: string, n: number) =>
      Promise.all(Array.from({ length: n }, () => mallory.request({ type: 'relay', roomID: 9, to: 'bob', data }))).then((r) => r.map((f) => (f.type === 'ack' ? 'ack' : String(f.code))));
    // One unit each: 4 of her 7 left.
    expect(await relays(edge, 3)).toEqual(['ack', 'ack', 'ack']);
    // Two each: two go, the third is refused (nothing held). Before: one each, all three went.
    expect(await relays(`${edge}x`, 3)).toEqual(['ack', 'ack', 'rateLimited']);
    for (const b of bob) await b.sync();
    expect(bob.map((b) => b.ofType('relayed').map((f) => bytes(f)))).toEqual(bob.map(() => [8_192, 8_192, 8_192, 8_193, 8_193]));
    expect(server.handle.metrics().limits).toMatchObject({ earlyRelays: 1 });
  });
});
