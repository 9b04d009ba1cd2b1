/**
 * Reading the fake IM's log of signalling messages by action: what the answer-crossing tests of many devices wait
 * for (a device's ACCEPT or REJECT on the wire) and assert (the commands the caller sent after).
 */
import type { InteropWorld } from './interopWorld';

/** TSignaling's envelope of a message's data: its action (1 invite, 3 accept, 4 reject, ...) and the call's own data. */
export const envelope = (data: string) => JSON.parse(data) as { actionType: number; data: string };

/** The calling command (`videoCall`, `hangup`, ...) inside a message's data. */
export const cmdOf = (data: string) => (JSON.parse(envelope(data).data) as { data: { cmd: string } }).data.cmd;

/** When `from` sent a message of `action` since the log's entry `since` (the world's clock), if it did. */
export const sentAt = (world: InteropWorld, since: number, from: string, action: number): number | undefined =>
  world.im.log.slice(since).find((m) => m.from === from && envelope(m.payload.data).actionType === action)?.at;

/** Lets the clock run 1 ms at a time, 5 s at most, until `from` has sent a message of `action` since `since`. */
export async function until(world: InteropWorld, since: number, from: string, action: number): Promise<void> {
  for (let ms = 0; ms < 5000; ms++) {
    if (sentAt(world, since, from, action) !== undefined) return;
    await world.advance(1);
  }
  throw new Error(`${from} sent no message of action ${action}`);
}
