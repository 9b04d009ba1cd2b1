/**
 * A sender pays its fan-out budget for the copies its message makes, not for copies it never makes. The C2C charge of
 * 2026-12-07 evening (`deviceCopies.security.test.ts`) was taken first, from a count of devices: a message then
 * refused for a quota (Bob's backlog full, her share of the store), an answer another device of hers had given first
 * (held back: no copy at all), copies online only to devices away or not reading, all paid as if they went; and a
 * message to herself paid her other devices twice (as its recipient, and as her own message synced to them: the
 * server wrote both, the client dropped the second). The review of 2026-12-07 night: the copies are decided once
 * before any is made (`server/routes.ts`), after every refusal but the room grant's, and those are what she pays
 * (`fanoutCharge`, `server/fanout.ts`); a message to herself reaches her devices once, as its recipient.
 *
 * Each test leaves her budget at a known level and spends the rest at once: the exact charge is where the refusals
 * start. A fan-out of 16 copies a second, 32 at once; a copy here is one unit (a payload under 8 KiB).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, serverSees, testServer, type TestServer } from '../server/support';
import { loginDevices, outcome } from './support';

let server: TestServer;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await server?.dispose();
});

const limits = { fanout: { perSecond: 16, burst: 32 }, maxGroupMembers: 8 };
/** `user` logged in on `n` devices (a multi-device server), terminated after the test. */
const devices = async (user: string, n: number) => {
  const logged = await loginDevices(server.handle.url, user, n);
  clients.push(...logged);
  return logged;
};
/** `n` C2C messages sent at once (no clock step between them), their outcomes in order. */
const burst = async (from: RawClient, to: string, n: number, onlineUserOnly = true) =>
  (await Promise.all(Array.from({ length: n }, (_, i) => from.request({ type: 'sendC2C', to, payload: `m${i}`, onlineUserOnly })))).map(outcome);
const acks = (n: number, refused: number, code = 'rateLimited') => [...Array<string>(n).fill('ack'), ...Array<string>(refused).fill(code)];
const messages = async (c: RawClient) => {
  await c.sync();
  return c.ofType('message').length;
};

describe('many devices: a message pays for the copies it makes, decided before it makes any', () => {
  it('Mallory messages Bob (5 devices) until his backlog is full: the 10 refused quotaExceeded cost her nothing, her last 4 units still send one more', async () => {
    server = await testServer({ multiDevice: true, limits: { ...limits, maxBacklog: 7 } });
    await devices('bob', 5);
    const [mallory] = await devices('mallory', 1);
    // 7 stored messages, 4 units each (5 copies, one paid by the frame): 28 of her 32. Bob's devices confirm none.
    expect(await burst(mallory!, 'bob', 7, false)).toEqual(acks(7, 0));
    // Before: the first of these took her last 4 units and was refused all the same, the rest rateLimited.
    expect(await burst(mallory!, 'bob', 10, false)).toEqual(acks(0, 10, 'quotaExceeded'));
    const [dave] = await devices('dave', 5);
    expect(await burst(mallory!, 'dave', 2)).toEqual(acks(1, 1));
    expect(await messages(dave!)).toBe(1);
    expect(server.handle.metrics().limits).toMatchObject({ maxBacklog: 10, fanout: 1 });
  });

  it("Mallory invites Bob (5 devices) into another call's room: refused roomInUse before its room is granted, it costs her nothing", async () => {
    server = await testServer({ multiDevice: true, limits });
    await devices('bob', 5);
    const [alice] = await devices('alice', 1);
    const [mallory] = await devices('mallory', 1);
    expect(await alice!.request({ type: 'roomClaim', roomID: 7 })).toMatchObject({ type: 'ack' });
    const invite = (inviteID: string) => mallory!.request({ type: 'sendC2C', to: 'bob', payload: 'INVITE', onlineUserOnly: true, call: { inviteID, roomID: 7, invitees: ['bob'], timeout: 30 } });
    // Before: each paid 4 units for the 5 copies it never made, and the 8 messages below were 5.
    expect((await Promise.all(['i1', 'i2', 'i3'].map(invite))).map(outcome)).toEqual(['roomInUse', 'roomInUse', 'roomInUse']);
    expect(await burst(mallory!, 'bob', 9)).toEqual(acks(8, 1));
  });

  it('a group message refused for her share of the store (maxSenderStored) costs Mallory nothing: her burst still sends 4 to a hall of 8', async () => {
    server = await testServer({ limits: { ...limits, maxSenderStored: 16 } });
    const users = ['mallory', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'];
    server.handle.createGroup('hall', users);
    const [mallory, ...members] = await Promise.all(users.map((u) => RawClient.login(server.handle.url, u)));
    clients.push(mallory!, ...members);
    const send = async (n: number, onlineUserOnly: boolean) =>
      (await Promise.all(Array.from({ length: n }, (_, i) => mallory!.request({ type: 'sendGroup', groupID: 'hall', payload: `g${i}`, onlineUserOnly })))).map(outcome);
    // Two stored messages: 16 copies held for the members (none confirms), 16 units. Then her share is full.
    expect(await send(2, false)).toEqual(acks(2, 0));
    // Before: the first two took her other 16 units and were refused all the same, the third rateLimited.
    expect(await send(3, false)).toEqual(acks(0, 3, 'quotaExceeded'));
    // Online only (not stored, her share not asked): 2 more of 8 copies fit what is left.
    expect(await send(3, true)).toEqual(acks(2, 1));
    expect(server.handle.metrics().limits).toMatchObject({ maxSenderStored: 3, fanout: 1 });
  });

  it('Bob accepts on his phone, then his laptop rejects: the reject is held back (no copy) and costs him nothing', async () => {
    server = await testServer({ multiDevice: true, limits });
    const [alice] = await devices('alice', 1);
    const [phone, laptop] = await devices('bob', 2);
    expect(await alice!.request({ type: 'sendC2C', to: 'bob', payload: 'INVITE', onlineUserOnly: false, call: { inviteID: 'i1', roomID: 5, invitees: ['bob'], timeout: 30 } })).toMatchObject({ type: 'ack' });
    const answer = (from: RawClient, kind: string) => from.request({ type: 'sendC2C', to: 'alice', payload: kind, onlineUserOnly: false, answer: { inviteID: 'i1', inviter: 'alice', kind } });
    // Alice's copy and the phone's own to the laptop: one unit.
    expect(await answer(phone!, 'accept')).toMatchObject({ type: 'ack' });
    // Held back (the phone answered first): acked, no copy anywhere. Before: it paid a unit for the two it never made.
    expect(await answer(laptop!, 'reject')).toMatchObject({ type: 'ack' });
    await alice!.sync();
    expect(alice!.ofType('message').map((f) => f.payload)).toEqual(['accept']);
    // 31 units left: 31 messages to Alice, each one copy to her and one to the other device.
    expect(await burst(phone!, 'alice', 32)).toEqual(acks(31, 1));
  });

  it('Mallory on 5 devices messages herself: each device gets it once (the sender too) and she pays 4 units, so 8 go at once', async () => {
    server = await testServer({ multiDevice: true, limits });
    const [mallory, ...others] = await devices('mallory', 5);
    // Before: 4 went (8 units each), and each of her 4 other devices got every one twice.
    expect(await burst(mallory!, 'mallory', 9)).toEqual(acks(8, 1));
    expect(await Promise.all([mallory!, ...others].map(messages))).toEqual([8, 8, 8, 8, 8]);
    // Stored (not online only), the same: a second later 16 units, four more.
    await server.clock.advance(1_000);
    expect(await burst(mallory!, 'mallory', 5, false)).toEqual(acks(4, 1));
    expect(await Promise.all([mallory!, ...others].map(messages))).toEqual([12, 12, 12, 12, 12]);
  });

  it('Mallory messages Bob online only while 3 of his 5 devices are away: 2 copies, 1 unit each, so 32 go at once', async () => {
    server = await testServer({ multiDevice: true, limits });
    const bob = await devices('bob', 5);
    const [mallory] = await devices('mallory', 1);
    const connected = server.handle.metrics().connections;
    for (const away of bob.slice(2)) away.terminate();
    await serverSees("3 of Bob's connections gone (their sessions in the resume grace)", () => server.handle.metrics().connections === connected - 3);
    // Before: 8 of these went (4 units each, for copies to the 3 devices away too).
    expect(await burst(mallory!, 'bob', 9)).toEqual(acks(9, 0));
    expect(await burst(mallory!, 'bob', 24)).toEqual(acks(23, 1));
    expect(await Promise.all(bob.slice(0, 2).map(messages))).toEqual([32, 32]);
  });
});
