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

describe('many devices: a late answer to an invitation a newer one replaced', () => {
  // Dave's group call (an invitation each) rings Alice's phone and laptop; her phone lets it ring out (its NO_RESP
  // goes), and Dave invites her again (inviteUser: "one who declined before is invited again"). Her laptop's own
  // NO_RESP to the first invitation, sent while its connection was down, arrives after: Dave's core reads an answer
  // only under the inviteID it last sent her (machines/callModel.ts `answerer`), so it hears nothing of it. Her phone
  // then accepts the new invitation: it enters. Past 8 invitations (f8f1c52) the replaced one goes and it does; with
  // 8 or fewer the replaced one stays and the laptop's stale answer kept the phone out (deviceInRoom): the rule
  // depended on how many others Dave called.
  for (const others of [1, 9]) {
    it(`Dave calls Alice and ${others} other(s) into room 78, Alice's phone times out, Dave invites her again, her laptop's late timeout of the first arrives -> her phone accepts the second and enters`, async () => {
      server = await testServer({ multiDevice: true });
      const url = server.handle.url;
      const dave = await RawClient.login(url, 'dave');
      const phone = await RawClient.login(url, 'alice', { device: 'phone' });
      const laptop = await RawClient.login(url, 'alice', { device: 'laptop' });
      const invitees = ['alice', ...Array.from({ length: others }, (_, i) => `user${i}`)];
      expect(await dave.request({ type: 'roomClaim', roomID: 78 })).toMatchObject({ type: 'ack' });
      expect(await dave.request({ type: 'roomEnter', roomID: 78, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
      for (const [i, to] of invitees.entries()) {
        const call = { inviteID: `inv-${i}`, roomID: 78, invitees, timeout: 30 };
        expect(await dave.request({ type: 'sendC2C', to, payload: `invite ${to}`, onlineUserOnly: false, call })).toMatchObject({ type: 'ack' });
      }
      const timedOut = { inviteID: 'inv-0', inviter: 'dave', kind: 'timeout' };
      expect(await phone.request({ type: 'sendC2C', to: 'dave', payload: 'timeout', onlineUserOnly: false, answer: timedOut })).toMatchObject({ type: 'ack' });
      const again = { inviteID: 'inv-again', roomID: 78, invitees: [...invitees], timeout: 30 };
      expect(await dave.request({ type: 'sendC2C', to: 'alice', payload: 'invite alice again', onlineUserOnly: false, call: again })).toMatchObject({ type: 'ack' });
      expect(await laptop.request({ type: 'sendC2C', to: 'dave', payload: 'timeout (late)', onlineUserOnly: false, answer: timedOut })).toMatchObject({ type: 'ack' });
      expect(await phone.request({ type: 'roomEnter', roomID: 78, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
      const accept = { inviteID: 'inv-again', inviter: 'dave', kind: 'accept' };
      expect(await phone.request({ type: 'sendC2C', to: 'dave', payload: 'accept', onlineUserOnly: false, answer: accept })).toMatchObject({ type: 'ack' });
      expect(await laptop.request({ type: 'roomEnter', roomID: 78, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
      for (const client of [dave, phone, laptop]) client.terminate();
    });
  }
});
