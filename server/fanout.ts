/** What a message or relay fanned out to many costs its sender's budgets: the bytes its copies make the server write. */
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
 * What a message of `payload` that makes `copies` copies pays its sender's fan-out budget: a group message every copy, a
 * C2C message (`c2c`) those beyond the one its frame paid for; each one per FANOUT_COPY_BYTES begun of its payload as
 * written ({@link wireBytes}). The copies are the ones `Mailer.send` makes, decided once before it makes any (its
 * routes): one per device a copy goes to (many devices: its recipient's, its sender's others), one stored for a user
 * with none; none for a copy it does not make (a recipient's backlog full, online only and not online, its sender's
 * other devices for a message to itself, which reach them as its recipient). Before 2026-12-07 evening a C2C message
 * paid nothing; before 2026-12-07 night both paid what a count of devices said, first, whatever went: a message then
 * refused (a backlog full, its room's grant), an answer another device gave first (it makes no copy), copies online
 * only to devices away, and a message to oneself twice its copies (which the server wrote twice).
 */
export function fanoutCharge(c2c: boolean, copies: number, payload: string): number {
  const paid = c2c ? copies - 1 : copies;
  // Past the burst (big copies, a group made larger by the administrator or by joins on two nodes at once): taken from
  // a full budget, the rest owed (`takeOwing`), never refused for ever; cut to the burst, the bytes outran the rate.
  return paid > 0 ? paid * copyUnits(payload) : 0;
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
