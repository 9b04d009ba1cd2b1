/** What a group message's fan-out costs its sender's `fanout` budget (`--fanout-rate`, `--fanout-burst`). */
import type { Session } from './conn';
import { FANOUT_COPY_BYTES } from './limits';

/**
 * The copies a group message of `bytes` from `session` makes: one per recipient, or, many devices (`multi`), one per
 * device (the sender's others too), each one per FANOUT_COPY_BYTES begun.
 */
export function fanoutCopies(multi: boolean, sessionsOf: (userID: string) => readonly Session[], session: Session, recipients: readonly string[], bytes: number): number {
  const copies = multi ? recipients.reduce((n, to) => n + Math.max(1, sessionsOf(to).length), sessionsOf(session.userID).length - 1) : recipients.length;
  // Past the burst (big copies, a group made larger by the administrator or by joins on two nodes at once): taken from
  // a full budget, the rest owed (`takeOwing`), never refused for ever; cut to the burst, the bytes outran the rate.
  return copies * Math.max(1, Math.ceil(bytes / FANOUT_COPY_BYTES));
}
