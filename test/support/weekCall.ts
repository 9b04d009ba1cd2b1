/**
 * One pair's part of a day in the "week" tests (test/security/week.security.test.ts on one server,
 * test/cluster/week.test.ts across two nodes): a call that ends one of five ways, a message for a user who never
 * comes, and a group made, joined, written to, left and deleted; and what a server holds once all are gone. Who is
 * connected where, and how they leave, is the test's own.
 */
import { expect } from 'vitest';
import type { Frame, RawClient } from '../server/support';

/** What a server reports holding once everyone is gone and every grace has passed (`handle.metrics()`). */
export const NOTHING_HELD = {
  connections: 0,
  loggedInUsers: 0,
  detachedSessions: 0,
  rooms: 0,
  roomGrants: 0,
  storedNow: 0,
  heldRelays: 0,
  heldNow: 0,
  refused: {},
} as const;

/** A pair's call: `desk` is the caller's connection, `devices` the callee's (the first one answers). */
export interface WeekCall {
  /** Sends a request and waits for its answer (moving the servers' clocks while it waits, if need be). */
  readonly request: (client: RawClient, frame: Record<string, unknown>) => Promise<Frame>;
  readonly caller: string;
  readonly callee: string;
  readonly desk: RawClient;
  readonly devices: readonly [RawClient, ...RawClient[]];
  readonly roomID: number;
  readonly inviteID: string;
  /** A user who never comes: a message and a group invitation wait for them. */
  readonly ghost: string;
  readonly groupID: string;
}

/**
 * The call ends by `ending`: 0 accepted and hung up, 1 rejected, 2 cancelled, 3 ringing until its timeout (the caller
 * in the room until everyone goes), 4 the callee in the room (it vanishes afterwards, as the test makes it).
 */
export async function weekCall(call: WeekCall, ending: number): Promise<void> {
  const { request, caller, callee, desk, devices, roomID, inviteID, ghost, groupID } = call;
  const [phone] = devices;
  await request(desk, { type: 'presenceSubscribe' });
  expect(await request(desk, { type: 'roomClaim', roomID })).toMatchObject({ type: 'ack' });
  expect(await request(desk, { type: 'roomEnter', roomID, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
  await request(desk, { type: 'sendC2C', to: callee, payload: 'invite', onlineUserOnly: false, call: { inviteID, roomID, invitees: [callee], timeout: 30 } });
  await request(desk, { type: 'relay', roomID, to: callee, data: 'offer' });
  for (const device of devices) {
    const message = await device.next((f) => f.type === 'message');
    device.send({ type: 'received', upTo: message.seq });
  }
  const answer = (kind: string) => ({ answer: { inviteID, inviter: caller, kind } });
  if (ending === 0) {
    await request(phone, { type: 'sendC2C', to: caller, payload: 'accept', onlineUserOnly: false, ...answer('accept') });
    expect(await request(phone, { type: 'roomEnter', roomID, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    await request(phone, { type: 'relay', roomID, to: caller, data: 'answer' });
    await request(desk, { type: 'sendC2C', to: callee, payload: 'hangup', onlineUserOnly: false });
    await request(desk, { type: 'roomExit', roomID });
    await request(phone, { type: 'roomExit', roomID });
  } else if (ending === 1) {
    await request(phone, { type: 'sendC2C', to: caller, payload: 'reject', onlineUserOnly: false, ...answer('reject') });
    await request(desk, { type: 'roomExit', roomID });
  } else if (ending === 2) {
    await request(desk, { type: 'sendC2C', to: callee, payload: 'cancel', onlineUserOnly: false });
    await request(desk, { type: 'roomExit', roomID });
  } else if (ending === 4) {
    expect(await request(phone, { type: 'roomEnter', roomID, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
  }
  await request(desk, { type: 'sendC2C', to: ghost, payload: 'hello', onlineUserOnly: false });
  expect(await request(desk, { type: 'groupCreate', groupID, members: [callee, ghost] })).toMatchObject({ type: 'groupInfo' });
  expect(await request(phone, { type: 'groupJoin', groupID })).toMatchObject({ type: 'groupInfo' });
  await request(desk, { type: 'sendGroup', groupID, payload: 'hi all', onlineUserOnly: false });
  await request(phone, { type: 'groupQuit', groupID });
  expect(await request(desk, { type: 'groupDelete', groupID })).toMatchObject({ type: 'ack' });
}
