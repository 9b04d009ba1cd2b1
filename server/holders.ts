/**
 * Many devices: a stored copy is stored once for its user and handed to each of the user's devices.
 * Its row goes once every session it was handed to confirmed it (or lost its connection), and no
 * connected device still has it ahead in its paging. Counted only from a second holder on: the
 * common case (one session) costs no map entry. Taken out of `mail.ts`, which uses it.
 */
import type { Inflight, Session } from './session';

/** How many sessions of a user hold each stored copy unconfirmed, by delivery. */
export class Holders {
  private readonly held = new Map<number, number>();

  constructor(
    private readonly multiDevice: boolean,
    /** The sessions of a user (one per device), if any. */
    private readonly sessionsOf: (userID: string) => readonly Session[],
  ) {}

  /** `session` was just handed the stored copy `delivery` (it is in its inflight). */
  handed(session: Session, delivery: number): void {
    const held = this.held.get(delivery);
    if (held !== undefined) this.held.set(delivery, held + 1);
    else if (this.multiDevice && this.sessionsOf(session.userID).length > 1) this.held.set(delivery, this.heldElsewhere(session, delivery) + 1);
  }

  /** One session fewer holds the stored copy `delivery`: how many still do. */
  unhold(delivery: number): number {
    const left = (this.held.get(delivery) ?? 1) - 1;
    if (left > 0) this.held.set(delivery, left);
    else this.held.delete(delivery);
    return left;
  }

  /** Another connected device of the user will page the stored copy `delivery` in (in delivery order, not reached yet). */
  awaitedBySibling(session: Session, delivery: number): boolean {
    if (!this.multiDevice) return false;
    return this.sessionsOf(session.userID).some((other) => other !== session && other.conn !== null && other.backlog && other.cursor < delivery);
  }

  /** How many other sessions of the user hold the stored copy `delivery` unconfirmed. */
  private heldElsewhere(session: Session, delivery: number): number {
    let n = 0;
    for (const other of this.sessionsOf(session.userID)) if (other !== session && other.inflight.some((m) => m.delivery === delivery)) n++;
    return n;
  }
}

/** The stored (or held) copies among `inflight`: their delivery ids. */
export function* deliveriesOf(inflight: readonly Inflight[]): IterableIterator<number> {
  for (const copy of inflight) if (copy.delivery !== null) yield copy.delivery;
}
