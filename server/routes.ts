/**
 * Where a message's copies go, decided once before any is made (taken out of `mail.ts`, which makes them): its sender
 * pays its fan-out budget for these copies (`fanout.ts`), and `Mailer.send` then makes these, without deciding again.
 */
import type { Session } from './session';

/** A recipient's copies as {@link routeCopies} decides them. */
export interface Route {
  readonly to: string;
  /** Online only: the sessions handed it now; else all of its sessions (the copy stored once, paged to those not handed it now). */
  readonly targets: readonly Session[];
  /** Online only: its sessions connected (none ready, the copy is dropped; none connected, a cluster may hand it to another node). */
  readonly online: number;
  /** The copies it makes: what its sender pays for. */
  readonly copies: number;
  /** Why it gets none: its backlog is full, or its sender's share of it. */
  readonly skipped?: 'maxBacklog' | 'maxBacklogPerSender';
}

/**
 * The copies of a message to `recipients`: online only (`onlineUserOnly`), one to each session of a recipient that
 * `mayTake` it now (`clustered`: a recipient with none connected here may be online on another node, one copy there);
 * else one to every session it has, handed now or paged in later, one stored for a user with none; none when
 * `refused` names the bound its copy is past (its backlog, its sender's share of it). `sessionsOf` starts no
 * cluster move: `Mailer.send` starts it once it stores a copy.
 */
export function routeCopies(
  recipients: readonly string[],
  onlineUserOnly: boolean,
  clustered: boolean,
  sessionsOf: (userID: string) => readonly Session[],
  mayTake: (session: Session) => boolean,
  refused: (to: string) => Route['skipped'],
): Route[] {
  return recipients.map((to) => {
    const targets = sessionsOf(to);
    if (onlineUserOnly) {
      const online = targets.filter((t) => t.conn).length;
      const ready = targets.filter((t) => t.conn && mayTake(t));
      return { to, targets: ready, online, copies: ready.length > 0 || online > 0 || !clustered ? ready.length : 1 };
    }
    const skipped = refused(to);
    return skipped ? { to, targets, online: 0, copies: 0, skipped } : { to, targets, online: 0, copies: Math.max(1, targets.length) };
  });
}
