/**
 * Many devices on the embedded server (`multiDevice`, issue 11), over raw sockets: which logins
 * coexist, the cap, every device rings, a device's own messages reach its other devices, the
 * answer rule (first answer wins, busy once all are busy), one device per room, and stored
 * copies (once per user, kept until every device holding one confirmed it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli';
import { startServer } from '../../server/index';
import { RawClient, SDKAPPID, SECRET_KEY, tencentUserSig, testServer, type Frame, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

async function device(userID: string, deviceID: string | undefined): Promise<{ client: RawClient; reply: Frame }> {
  const client = await RawClient.open((server as TestServer).handle.url);
  const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID), ...(deviceID === undefined ? {} : { device: deviceID }) });
  return { client, reply };
}

const answer = (inviteID: string, kind: string) => ({ inviteID, kind });

/** Alice, and Bob on his phone and laptop, invited by Alice (inv-1, room 42). */
async function invitedOnTwoDevices() {
  server = await testServer({ multiDevice: true });
  const alice = await RawClient.login(server.handle.url, 'alice');
  const phone = await device('bob', 'phone');
  const laptop = await device('bob', 'laptop');
  await send(alice, 'bob', 'invite', { call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 30 } });
  return { alice, phone, laptop };
}
const send = (client: RawClient, to: string, payload: string, extra: Record<string, unknown> = {}) =>
  client.request({ type: 'sendC2C', to, payload, onlineUserOnly: false, ...extra });
const payloads = (client: RawClient) => client.ofType('message').map((m) => `${String(m.from)}:${String(m.payload)}`);

describe('many devices: sessions', () => {
  it('devices of one user coexist up to maxDevices; one more -> tooManyDevices; the same device again kicks only its own session', async () => {
    server = await testServer({ multiDevice: true, maxDevices: 2 });
    const phone = await device('bob', 'phone');
    const laptop = await device('bob', 'laptop');
    expect([phone.reply.type, phone.reply.multiDevice, laptop.reply.type]).toEqual(['loggedIn', true, 'loggedIn']);
    const tablet = await device('bob', 'tablet');
    expect(tablet.reply).toMatchObject({ type: 'error', code: 'tooManyDevices' });
    const reload = await device('bob', 'phone');
    expect(reload.reply.type).toBe('loggedIn');
    expect(await phone.client.closed).toMatchObject({ code: 4001 });
    expect(laptop.client.open).toBe(true);
    expect(server.handle.metrics()).toMatchObject({ loggedInUsers: 1, detachedSessions: 0 });
  });

  it('a login without a device (not opted in) kicks every device; without the option, a device login kicks as ever', async () => {
    server = await testServer({ multiDevice: true });
    const phone = await device('bob', 'phone');
    const laptop = await device('bob', 'laptop');
    const plain = await device('bob', undefined);
    expect(plain.reply).toMatchObject({ type: 'loggedIn' });
    expect(plain.reply.multiDevice).toBeUndefined();
    expect((await phone.client.closed).code).toBe(4001);
    expect((await laptop.client.closed).code).toBe(4001);
    await server.dispose();
    server = await testServer();
    const first = await device('bob', 'phone');
    const second = await device('bob', 'laptop');
    expect(second.reply.multiDevice).toBeUndefined();
    expect((await first.client.closed).code).toBe(4001);
  });

  it('a userSig kicked out by a plain login stays refused under a fresh device name while any of the user\'s sessions lives', async () => {
    server = await testServer({ multiDevice: true });
    const leaked = tencentUserSig('bob', 3600);
    const thief = await RawClient.open(server.handle.url);
    expect((await thief.request({ type: 'login', userID: 'bob', userSig: leaked, device: 'evil' })).type).toBe('loggedIn');
    await server.clock.advance(1000);
    const own = await RawClient.open(server.handle.url);
    expect((await own.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob', 3599) })).type).toBe('loggedIn'); // kicks every device
    expect((await thief.closed).code).toBe(4001);
    await server.clock.advance(1000);
    const phone = await RawClient.open(server.handle.url);
    expect((await phone.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob', 3598), device: 'phone' })).type).toBe('loggedIn'); // takes over the plain session
    const back = await RawClient.open(server.handle.url);
    expect(await back.request({ type: 'login', userID: 'bob', userSig: leaked, device: 'evil-2' })).toMatchObject({ type: 'error', code: 'sessionSuperseded' });
  });

  it('refused with Redis (cluster mode keeps one session per user): startServer and the command line', async () => {
    await expect(startServer({ port: 0, dbPath: ':memory:', sdkAppId: SDKAPPID, secretKey: SECRET_KEY, multiDevice: true, redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(
      /multiDevice is not available in cluster mode/,
    );
    const base = ['--sdkappid', '1400000001', '--secret-key', 'k'];
    expect(parseCli([...base, '--multi-device', '--redis', 'redis://h:6379'], {})).toEqual({
      ok: false,
      exitCode: 2,
      text: '--multi-device is not available with --redis (cluster mode keeps one session per user)',
    });
    expect(parseCli([...base, '--multi-device', '--max-devices', '3'], {})).toMatchObject({ ok: true, options: { multiDevice: true, maxDevices: 3 } });
    expect(parseCli([...base], { HC_MULTI_DEVICE: '1' })).toMatchObject({ ok: true, options: { multiDevice: true } });
    expect(parseCli([...base, '--max-devices', '0'], {})).toMatchObject({ ok: false, exitCode: 2 });
  });
});

describe('many devices: messages', () => {
  it("a message to Bob reaches both devices; stored once, its row goes when the second device confirms; Bob's own message reaches his other device", async () => {
    server = await testServer({ multiDevice: true });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const phone = await device('bob', 'phone');
    const laptop = await device('bob', 'laptop');
    await send(alice, 'bob', 'hello');
    const [m1, m2] = [await phone.client.next((f) => f.type === 'message'), await laptop.client.next((f) => f.type === 'message')];
    expect([m1.payload, m2.payload, m1.id]).toEqual(['hello', 'hello', m2.id]);
    phone.client.send({ type: 'received', upTo: m1.seq });
    await phone.client.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 1 });
    laptop.client.send({ type: 'received', upTo: m2.seq });
    await laptop.client.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0 });
    await send(phone.client, 'alice', 'from the phone');
    await laptop.client.next((f) => f.type === 'message' && f.payload === 'from the phone');
    await alice.next((f) => f.type === 'message' && f.payload === 'from the phone');
    await phone.client.sync();
    expect(payloads(phone.client)).toEqual(['alice:hello']);
    expect(payloads(laptop.client)).toEqual(['alice:hello', 'bob:from the phone']);
  });

  it("a copy the laptop has not been handed yet (its window full) stays stored when the phone confirms it: the laptop gets it once its window opens", async () => {
    server = await testServer({ multiDevice: true, limits: { maxUnconfirmed: 1 } });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const phone = await device('bob', 'phone');
    const laptop = await device('bob', 'laptop');
    await send(alice, 'bob', 'one');
    const l1 = await laptop.client.next((f) => f.type === 'message' && f.payload === 'one');
    const p1 = await phone.client.next((f) => f.type === 'message' && f.payload === 'one');
    phone.client.send({ type: 'received', upTo: p1.seq });
    await phone.client.sync();
    // The laptop's window (one copy) is full: "two" goes to the phone only, and waits in the store for the laptop.
    await send(alice, 'bob', 'two');
    const p2 = await phone.client.next((f) => f.type === 'message' && f.payload === 'two');
    phone.client.send({ type: 'received', upTo: p2.seq });
    await phone.client.sync();
    laptop.client.send({ type: 'received', upTo: l1.seq });
    await laptop.client.next((f) => f.type === 'message' && f.payload === 'two');
    expect(payloads(laptop.client)).toEqual(['alice:one', 'alice:two']);
    const l2 = laptop.client.ofType('message').at(-1) as Frame;
    laptop.client.send({ type: 'received', upTo: l2.seq });
    await laptop.client.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0 });
  });

  it('the first answer of any device goes to Alice, a later one of the same invite is dropped; busy goes once every device is busy', async () => {
    server = await testServer({ multiDevice: true });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const phone = await device('bob', 'phone');
    const laptop = await device('bob', 'laptop');
    expect(await send(laptop.client, 'alice', 'accept inv-1', { answer: answer('inv-1', 'accept') })).toMatchObject({ type: 'ack' });
    expect(await send(phone.client, 'alice', 'accept inv-1 too', { answer: answer('inv-1', 'accept') })).toMatchObject({ type: 'ack' });
    expect(await send(phone.client, 'alice', 'busy inv-2', { answer: answer('inv-2', 'busy') })).toMatchObject({ type: 'ack' });
    expect(await send(laptop.client, 'alice', 'busy inv-2 too', { answer: answer('inv-2', 'busy') })).toMatchObject({ type: 'ack' });
    expect(await send(phone.client, 'alice', 'busy inv-3', { answer: answer('inv-3', 'busy') })).toMatchObject({ type: 'ack' });
    expect(await send(laptop.client, 'alice', 'reject inv-3', { answer: answer('inv-3', 'reject') })).toMatchObject({ type: 'ack' });
    await send(phone.client, 'alice', 'done');
    await alice.next((f) => f.type === 'message' && f.payload === 'done');
    expect(payloads(alice)).toEqual(['bob:accept inv-1', 'bob:busy inv-2 too', 'bob:reject inv-3', 'bob:done']);
    // A dropped or held answer is not told to the other devices either.
    await laptop.client.next((f) => f.type === 'message' && f.payload === 'done');
    expect(payloads(laptop.client)).toEqual(['bob:done']);
    expect(payloads(phone.client)).toEqual(['bob:accept inv-1', 'bob:busy inv-2 too', 'bob:reject inv-3']);
  });

  it('one device of a user in a room: the second is refused deviceInRoom', async () => {
    const { alice, phone, laptop } = await invitedOnTwoDevices();
    expect(await phone.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    // Entering claimed the answer for the phone: the laptop stays out once it left, too ...
    expect(await phone.client.request({ type: 'roomExit', roomID: 42 })).toMatchObject({ type: 'ack' });
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    // ... until Alice invites Bob into that room again.
    await send(alice, 'bob', 'invite again', { call: { inviteID: 'inv-2', roomID: 42, invitees: ['bob'], timeout: 30 } });
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
  });

  it('the laptop is away (its connection dropped, inside the resume grace) when the phone accepts: it hears the ACCEPT when it resumes, so it stops ringing', async () => {
    const { phone, laptop } = await invitedOnTwoDevices();
    await laptop.client.next((f) => f.type === 'message');
    laptop.client.terminate();
    await laptop.client.closed;
    await send(phone.client, 'alice', 'accept inv-1', { answer: answer('inv-1', 'accept') });
    const back = await RawClient.open((server as TestServer).handle.url);
    const resumed = await back.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), device: 'laptop', resume: laptop.reply.session });
    expect(resumed).toMatchObject({ type: 'loggedIn', resumed: true });
    await back.next((f) => f.type === 'message' && f.payload === 'accept inv-1');
    expect(payloads(back)).toContain('bob:accept inv-1');
  });

  it('the phone logs in again as "phone" (past the resume grace, e.g. a reload): it may enter the room it claimed again; the laptop still may not', async () => {
    const { phone, laptop } = await invitedOnTwoDevices();
    expect(await phone.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    const again = await device('bob', 'phone');
    expect(again.reply.type).toBe('loggedIn');
    expect(await again.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
  });

  it('an invitation that names Bob but does not reach him (Alice sends it to Carol only) does not clear his answer: the laptop stays out', async () => {
    const { alice, phone, laptop } = await invitedOnTwoDevices();
    await RawClient.login((server as TestServer).handle.url, 'carol');
    await send(phone.client, 'alice', 'reject inv-1', { answer: answer('inv-1', 'reject') });
    expect(await send(alice, 'carol', 'invite naming bob', { call: { inviteID: 'inv-x', roomID: 42, invitees: ['carol', 'bob'], timeout: 30 } })).toMatchObject({ type: 'ack' });
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
  });

  it('a device that declined keeps the others out of the room: REJECT from the phone, then the laptop (which accepted at the same moment) is refused deviceInRoom', async () => {
    const { alice, phone, laptop } = await invitedOnTwoDevices();
    await send(phone.client, 'alice', 'reject inv-1', { answer: answer('inv-1', 'reject') });
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
  });

  it('the device in the room answers for the user: its ACCEPT goes, a REJECT another device sends meanwhile does not', async () => {
    const { alice, phone, laptop } = await invitedOnTwoDevices();
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await send(phone.client, 'alice', 'reject inv-1', { answer: answer('inv-1', 'reject') });
    await send(laptop.client, 'alice', 'accept inv-1', { answer: answer('inv-1', 'accept') });
    await send(laptop.client, 'alice', 'done');
    await alice.next((f) => f.type === 'message' && f.payload === 'done');
    expect(payloads(alice)).toEqual(['bob:accept inv-1', 'bob:done']);
  });

  it('a message stored while Bob is offline goes to the device(s) online when he comes back, once: a device logging in after it was confirmed gets nothing', async () => {
    server = await testServer({ multiDevice: true });
    const alice = await RawClient.login(server.handle.url, 'alice');
    await send(alice, 'bob', 'while you were away');
    const phone = await device('bob', 'phone');
    const m = await phone.client.next((f) => f.type === 'message');
    phone.client.send({ type: 'received', upTo: m.seq });
    await phone.client.sync();
    const laptop = await device('bob', 'laptop');
    await laptop.client.sync();
    expect(laptop.client.ofType('message')).toEqual([]);
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0 });
  });
});

describe('many devices: the fanout budget', () => {
  it('counts copies, one per device (and the sender\'s other devices): a budget of 10 copies a second lets no more than 10 through', async () => {
    server = await testServer({ multiDevice: true, limits: { fanout: { perSecond: 10, burst: 10 }, maxGroupMembers: 10 } });
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    const devices: RawClient[] = [];
    await mallory.request({ type: 'groupCreate', groupID: 'g', members: ['a', 'b'], joinRule: 'open' });
    for (const user of ['a', 'b']) {
      for (let d = 0; d < 5; d++) {
        const { client, reply } = await device(user, `dev${d}`);
        expect(reply.type).toBe('loggedIn');
        if (d === 0) await client.request({ type: 'groupJoin', groupID: 'g' });
        devices.push(client);
      }
    }
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await mallory.request({ type: 'sendGroup', groupID: 'g', payload: `m${i}`, onlineUserOnly: true });
      answers.push(reply.type === 'ack' ? 'ack' : String(reply.code));
    }
    for (const d of devices) await d.sync();
    expect(answers).toEqual(['ack', 'rateLimited', 'rateLimited']); // 10 copies, then none left this second
    expect(devices.reduce((n, d) => n + d.ofType('message').length, 0)).toBe(10);
    // One more device makes a message of 11 copies, past the burst: taken from a full budget (the copy beyond owed), it goes.
    const { client: eleventh } = await device('owner-of-nothing', 'dev0');
    await eleventh.request({ type: 'groupJoin', groupID: 'g' });
    await server?.clock.advance(2_000);
    expect(await mallory.request({ type: 'sendGroup', groupID: 'g', payload: 'big', onlineUserOnly: true })).toMatchObject({ type: 'ack' });
    for (const c of [mallory, eleventh, ...devices]) c.terminate();
  });
});

describe('many devices: a refused entry answers nothing', () => {
  it('an entry refused for its notices (the fan-out budget spent) does not make that device the one that answered: the other device still enters', async () => {
    server = await testServer({ multiDevice: true, limits: { fanout: { perSecond: 1, burst: 2 }, maxGroupMembers: 2 } });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const dave = await RawClient.login(server.handle.url, 'dave');
    const phone = await device('bob', 'phone');
    const laptop = await device('bob', 'laptop');
    await send(alice, 'bob', 'invite', { call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 30 } });
    expect(await alice.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    // Bob's laptop spends his fan-out budget in another room: its userEntered and userLeft to dave.
    server.handle.grantRoom(77, ['bob', 'dave']);
    await dave.request({ type: 'roomEnter', roomID: 77, audio: true, video: false });
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 77, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await laptop.client.request({ type: 'roomExit', roomID: 77 });
    expect(await phone.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'rateLimited' });
    await server.clock.advance(5_000);
    expect(await laptop.client.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    // The entry spent the budget of 2 again; the accept's copy to the phone costs one more (a C2C message's copies to
    // many devices pay fan-out, test/security/deviceCopies.security.test.ts): a second refills it.
    await server.clock.advance(1_000);
    expect(await send(laptop.client, 'alice', 'accept inv-1', { answer: answer('inv-1', 'accept') })).toMatchObject({ type: 'ack' });
    await alice.sync();
    expect(payloads(alice)).toContain('bob:accept inv-1');
    for (const c of [alice, dave, phone.client, laptop.client]) c.terminate();
  });
});
