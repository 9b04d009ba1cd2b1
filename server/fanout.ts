/** What a message or relay fanned out to many costs its sender's budgets: the bytes its copies make the server write. */
import type { Session } from './conn';
import { FANOUT_COPY_BYTES } from './limits';

/** The most bytes one UTF-16 code unit of a string takes escaped in JSON (`\u0001`, a lone surrogate's `\ud800`). */
const MAX_ESCAPED = 6;

/**
 * The bytes `text` takes inside a frame the server writes: its UTF-8 escaped as JSON, without the quotes. A
 * control character is one byte of UTF-8 and six written (`\u0001`), a `"` or `\` one and two: measured as
 * held, 8,192 of them cost a fan-out what 8,192 letters do and made the server write six times as much.
 */
export function wireBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/**
 * The copies a group message of `payload` from `session` makes: one per recipient, or, many devices (`multi`), one per
 * device (the sender's others too), each one per FANOUT_COPY_BYTES begun of its payload as written ({@link wireBytes}).
 */
export function fanoutCopies(multi: boolean, sessionsOf: (userID: string) => readonly Session[], session: Session, recipients: readonly string[], payload: string): number {
  const copies = multi ? recipients.reduce((n, to) => n + Math.max(1, sessionsOf(to).length), sessionsOf(session.userID).length - 1) : recipients.length;
  // Past the burst (big copies, a group made larger by the administrator or by joins on two nodes at once): taken from
  // a full budget, the rest owed (`takeOwing`), never refused for ever; cut to the burst, the bytes outran the rate.
  return copies * copyUnits(payload);
}

/**
 * The fan-out a C2C message of `payload` from `session` to `to` pays: with many devices (`multi`), a copy per device of
 * its recipient and of its sender's others, as a group message's, but for the one its frame paid for; none with one
 * device each (as before). Before 2026-12-07 evening none at all: Mallory messaging users on 5 devices each made the
 * server write 5 copies a frame (9 from 5 devices of her own), beside a fan-out budget that bounds a group's.
 */
export function c2cFanout(multi: boolean, sessionsOf: (userID: string) => readonly Session[], session: Session, to: string, payload: string): number {
  if (!multi) return 0;
  const beyond = Math.max(1, sessionsOf(to).length) + sessionsOf(session.userID).length - 2;
  return beyond > 0 ? beyond * copyUnits(payload) : 0;
}

/** The units one copy of `payload` costs: one per FANOUT_COPY_BYTES begun as it is written ({@link wireBytes}). */
export function copyUnits(payload: string): number {
  // A signalling message (up to 1,365 characters) costs one a copy however it escapes: no need to measure it.
  return payload.length * MAX_ESCAPED <= FANOUT_COPY_BYTES ? 1 : Math.max(1, Math.ceil(wireBytes(payload) / FANOUT_COPY_BYTES));
}

/** The units one copy of a frame already in JSON (`text`) costs: one per FANOUT_COPY_BYTES of it begun. */
export function frameUnits(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text) / FANOUT_COPY_BYTES));
}
