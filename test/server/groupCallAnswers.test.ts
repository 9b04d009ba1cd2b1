/**
 * Many devices: a group call made without an IM group sends each invitee an invitation of its own
 * (its own inviteID: `TRTCCalling.groupCall` with no groupID, and `inviteUser`), all into one room.
 * The answer ledger keeps each room's newest 8 invitations (AnswerLedger.ROOM_INVITES): the ninth
 * invitee's pushed out the first's, and that invitee's other device entered the room although the
 * first had declined (the caller heard REJECT, then USER_ENTER from the same user).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

describe('many devices: a group call of ten invitations, one each', () => {
  it("Dave calls Bob and nine others into room 77 (an invitation each); Bob's phone reject()s -> his laptop is refused deviceInRoom", async () => {
    server = await testServer({ multiDevice: true });
    const url = server.handle.url;
    const dave = await RawClient.login(url, 'dave');
    const phone = await RawClient.login(url, 'bob', { device: 'phone' });
    const laptop = await RawClient.login(url, 'bob', { device: 'laptop' });
    const invitees = ['bob', ...Array.from({ length: 9 }, (_, i) => `user${i}`)];
    expect(await dave.request({ type: 'roomClaim', roomID: 77 })).toMatchObject({ type: 'ack' });
    expect(await dave.request({ type: 'roomEnter', roomID: 77, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    for (const [i, to] of invitees.entries()) {
      const call = { inviteID: `inv-${i}`, roomID: 77, invitees, timeout: 30 };
      expect(await dave.request({ type: 'sendC2C', to, payload: `invite ${to}`, onlineUserOnly: false, call })).toMatchObject({ type: 'ack' });
    }
    const answer = { inviteID: 'inv-0', inviter: 'dave', kind: 'reject' };
    expect(await phone.request({ type: 'sendC2C', to: 'dave', payload: 'reject', onlineUserOnly: false, answer })).toMatchObject({ type: 'ack' });
    expect(await laptop.request({ type: 'roomEnter', roomID: 77, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    for (const client of [dave, phone, laptop]) client.terminate();
  });
});
