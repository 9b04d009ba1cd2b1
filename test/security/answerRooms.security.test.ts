/**
 * Attack: "other calls push my answer out" (many devices, the server after a week, 2026-12-05). The
 * answer ledger keeps each room's invitations so that a device cannot enter a room its user already
 * answered from another device; it kept the newest 4,096 rooms, for as long as nothing newer came,
 * whether their calls were over or not. Mallory's short calls (a room claimed, an invitation to a user
 * who never comes, entered and left: four frames, the room gone seconds later), or a busy server's
 * ordinary calls, pushed out the room of a call still ringing: Bob's laptop entered the room his phone
 * had declined, and Alice heard REJECT, then Bob enter. Now a room's invitations go with its grant:
 * the ledger holds the calls that can still be entered, and short calls push out nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from '../server/support';

/** More rooms than the ledger keeps (4,096). */
const ROOMS = 4200;
/** Mallory's accounts, and the rooms each goes through a second (4 frames each: within 50 frames a second). */
const ACCOUNTS = 16;
const PER_SECOND = 12;

describe('the answer ledger against short calls', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer({ multiDevice: true });
  });
  afterEach(() => server.dispose());

  /** Alice calls Bob (room 42, a 10-minute ring) on his phone and laptop; his phone declines. */
  async function bobsPhoneDeclines(url: string): Promise<{ alice: RawClient; phone: RawClient; laptop: RawClient }> {
    const alice = await RawClient.login(url, 'alice');
    const login = async (deviceID: string) => {
      const client = await RawClient.open(url);
      expect(await client.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), device: deviceID })).toMatchObject({ type: 'loggedIn' });
      return client;
    };
    const phone = await login('phone');
    const laptop = await login('laptop');
    const call = { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 600 };
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call })).toMatchObject({ type: 'ack' });
    const answer = { inviteID: 'inv-1', inviter: 'alice', kind: 'reject' };
    expect(await phone.request({ type: 'sendC2C', to: 'alice', payload: 'reject', onlineUserOnly: false, answer })).toMatchObject({ type: 'ack' });
    return { alice, phone, laptop };
  }

  it("Alice calls Bob (room 42), his phone declines; Mallory makes 4,200 short calls -> Bob's laptop is still refused deviceInRoom", async () => {
    const url = server.handle.url;
    const { alice, phone, laptop } = await bobsPhoneDeclines(url);

    const mallory = await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => RawClient.login(url, `mallory${i}`)));
    let room = 1000;
    while (room < 1000 + ROOMS) {
      for (const client of mallory) {
        for (let i = 0; i < PER_SECOND; i++) {
          const roomID = ++room;
          client.send({ type: 'roomClaim', rid: 4 * roomID, roomID });
          const short = { inviteID: `short-${roomID}`, roomID, invitees: ['ghost'], timeout: 1 };
          client.send({ type: 'sendC2C', rid: 4 * roomID + 1, to: 'ghost', payload: 'invite', onlineUserOnly: true, call: short });
          client.send({ type: 'roomEnter', rid: 4 * roomID + 2, roomID, audio: true, video: false });
          client.send({ type: 'roomExit', rid: 4 * roomID + 3, roomID });
        }
      }
      await Promise.all(mallory.map((client) => client.sync()));
      await server.clock.advance(1000);
    }
    expect(mallory.flatMap((client) => client.ofType('error'))).toEqual([]);

    expect(await laptop.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    for (const client of [alice, phone, laptop, ...mallory]) client.terminate();
  }, 60_000);

  it("Alice calls Bob (room 42), his phone declines; Mallory's 132 accounts each ring a user who never comes in 32 rooms for a day (4,224 live grants) -> Bob's laptop is still refused deviceInRoom", async () => {
    const url = server.handle.url;
    const { alice, phone, laptop } = await bobsPhoneDeclines(url);

    // Each account holds as many rooms as one user may (32), every one with a live grant: a day-long invitation.
    const PER_ACCOUNT = 32;
    const accounts = Math.ceil(ROOMS / PER_ACCOUNT);
    let room = 1000;
    for (let k = 0; k < accounts; k += ACCOUNTS) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(ACCOUNTS, accounts - k) }, (_, i) => RawClient.login(url, `mallory${k + i}`, { localAddress: `127.0.3.${1 + k + i}` })),
      );
      for (const client of batch) {
        for (let i = 0; i < PER_ACCOUNT; i++) {
          const roomID = ++room;
          const ringing = { inviteID: `long-${roomID}`, roomID, invitees: ['ghost'], timeout: 86_400 };
          client.send({ type: 'sendC2C', rid: roomID, to: 'ghost', payload: 'invite', onlineUserOnly: true, call: ringing });
        }
      }
      await Promise.all(batch.map((client) => client.sync()));
      expect(batch.flatMap((client) => client.ofType('error'))).toEqual([]);
      for (const client of batch) client.terminate();
    }
    expect(server.handle.metrics().roomGrants).toBeGreaterThan(4096);

    expect(await laptop.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    for (const client of [alice, phone, laptop]) client.terminate();
  }, 60_000);
});
