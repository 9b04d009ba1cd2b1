/**
 * The IM relay. Every message copy is written to the store (in the turn's group commit) before
 * the sender's ack, and stays there until its recipient confirms it with a receipt, online or
 * not: a crash at any moment loses nothing acknowledged and at worst delivers a copy twice, with
 * the same message id (the client drops the second).
 *
 * Write-behind (`writeBehindMs`, see `writeBehind.ts`): a message whose every copy goes at once to its recipients'
 * connections (cluster: or to the streams of users with no session here) is handed before it is stored and held back
 * from the commit for that window; the copies confirmed (or moved to their streams) meanwhile are never written, and the
 * sender's ack waits until the message is stored, or each copy confirmed or moved. A crash in the window can lose only what
 * no ack promised: the sender sends it again, and its message id is the same (ids come from the
 * sender's session lineage, request id and resend key, not from the server's boot), so a
 * recipient that got the first copy drops the second.
 *
 * Delivery is a window per connection: at most `maxUnconfirmed` copies unconfirmed, and none
 * while the connection has more than a quarter of `maxBufferedBytes` unsent. Copies beyond it
 * wait in the store and are paged in, in order, as receipts come back or the socket drains.
 * Bounded too: a recipient's backlog (copies and bytes), the store's bytes, a sender's group
 * fan-out per second.
 *
 * Many devices (`--multi-device`): a copy goes to every device of its recipient online, stored once for the user,
 * and its row goes once every device handed it confirmed it (or lost its connection). What a device sends is handed,
 * live and unstored, to its user's other devices too ("sync of own messages", as Tencent IM does for multi-terminal
 * logins), so that they hear that one of them answered. Answers pass the {@link AnswerLedger} (in SQLite:
 * `answerJournal.ts`): the caller hears one; a device that logs in as a new session gets those ({@link Mailer.recallAnswers}).
 */
import { AnswerLedger, invitationKey } from '../adapters/ws/answerLedger';
import type { AnswerMeta, CallMeta, ServerFrame } from '../adapters/ws/protocol';
import { deviceOf, durableAnswers, type SaidAnswers, saidAnswers } from './answerJournal';
import type { TurnCommit } from './commit';
import type { Inflight, Session } from './session';
import type { RoomGrants } from './grants';
import { FANOUT_COPY_BYTES, type UserBudgets } from './limits';
import { fanoutCharge } from './fanout';
import type { Counters } from './metrics';
import type { ResolvedOptions } from './options';
import { type Refusal, refuse } from './refusal';
import type { RemoteHeld } from './senders';
import { routeCopies } from './routes';
import { recalled, tellBacklog } from './backlogMarks';
import { deliveriesOf, Holders } from './holders';
import { grantInvitation, invitedAmong } from './invitationGrant';
import { keepMissed, keepRecalled } from './missedAnswers';
import { type Body, messageFrame, type PendingCopy, type Store } from './store';
import { StoredCounts } from './storedCounts';
import { type Held, WriteBehind } from './writeBehind';

/** Stored copies read per page (at most 1 MiB of 64 KiB messages). */
const PAGE = 16;

/** What a send asks for, whoever it goes to. */
export interface Outgoing {
  readonly groupID: string | null;
  readonly groupKey?: string; // a group message's `groupKey`: a call through it admits that group's members only
  readonly payload: string;
  readonly onlineUserOnly: boolean;
  readonly call?: CallMeta;
  /** Many devices: what the message answers (see {@link AnswerLedger}). */
  readonly answer?: AnswerMeta;
}

/** Message copies: routing, windows, receipts and paging. */
export class Mailer {
  /** The store's bounds, what is stored or held counted against them. */
  readonly counts: StoredCounts;
  /** Many devices: stored copies handed to more than one session, by delivery: how many hold it unconfirmed. */
  private readonly holders: Holders;
  /** Keyed by device name, so a device that logs in again (past the resume grace) keeps its claims (a restart too). */
  readonly answers: AnswerLedger<string>;
  /** Many devices: the messages of the answers that went ({@link Mailer.recallAnswers}). */
  private readonly said: SaidAnswers | null = null;
  /** Messages handed before they are stored, their writes held back for a short window. */
  readonly writeBehind: WriteBehind;
  /** The held message an ack waits for, by the ack frame (see {@link Mailer.heldFor}). */
  private readonly acksHeld = new WeakMap<ServerFrame, Held>();
  /** Copies handed while the turn's commit waits, as session, seq pairs: never sent if it fails ({@link Mailer.unhand}). */
  private unsent: (Session | number)[] | null = null;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly store: Store,
    private readonly commit: TurnCommit,
    private readonly counters: Counters,
    private readonly budgets: UserBudgets,
    private readonly grants: RoomGrants,
    /** The sessions of a user (one per device), if any; `storing`: a copy for it may be stored (cluster: they move where it is). */
    private readonly sessionsOf: (userID: string, storing?: boolean) => readonly Session[],
    /** Cluster: hands an `onlineUserOnly` copy to the node `userID` is online on; false when none. */
    private readonly elsewhere: (userID: string, copy: Body) => boolean = () => false,
    remote?: RemoteHeld,
  ) {
    this.counts = new StoredCounts(options.limits, store, remote);
    this.holders = new Holders(options.multiDevice, sessionsOf);
    this.answers = options.multiDevice ? durableAnswers(store.db, commit, options, options.limits.maxRooms, (roomID) => grants.holds?.(roomID, options.clock.now()) === true) : new AnswerLedger();
    if (options.multiDevice) this.said = saidAnswers(store.db, commit, (key) => this.answers.filed(key));
    this.writeBehind = new WriteBehind(store, commit, options.clock, options.writeBehindMs, options.writeBehindMaxBytes, {
      dropped: (held) => {
        for (const to of held.rows.values()) this.counts.uncountCopy(held.body.from, to, held.bytes);
        this.counts.countBody(held.body.from, -held.bytes);
      },
      heldAgain: (held) => this.counts.countHeld(held),
      writtenLate: (held, rows) => rows.forEach(([delivery, to]) => this.sessionsOf(to).forEach((s) => this.lateCopy(s, held, delivery))),
    }, options.redisUrl !== '');
  }

  /** The held message whose settling `ack` (an answer of {@link Mailer.send}) must wait for, if any. */
  heldFor(ack: ServerFrame): Held | undefined {
    return this.acksHeld.get(ack);
  }

  /**
   * Sends a message from `session` to `recipients` (a C2C message has one, its `to`; a group
   * message the other members). The answer is the ack, written once the copies are committed
   * (or, held, once settled: {@link Mailer.heldFor}). `key` is the request's resend key.
   */
  send(session: Session, m: Outgoing, recipients: readonly string[], rid: number, key: number): ServerFrame | Refusal {
    const { limits, clock } = this.options;
    const now = clock.now();
    const bytes = Buffer.byteLength(m.payload);
    const c2c = m.groupID === null;
    const overQuota = m.onlineUserOnly ? null : this.counts.refusal(session.userID, recipients, bytes, c2c);
    if (overQuota) return overQuota;
    // Many devices: an answer another device of its user gave first makes no copy (asked now, recorded below).
    const gated = this.options.multiDevice && m.answer !== undefined;
    const passes = !gated || this.answers.pass(session.userID, deviceOf(session), m.answer, this.onlineDevices(session.userID), false);
    // Many devices: the sender's other devices hear what it said, live (a message to itself reaches them as its
    // recipient: not twice); one away (in its resume grace), with no room now (its window full, its socket backed
    // up) or with stored copies not paged in yet (live, an answer would overtake the invitation) gets its answers
    // after what came before them, to stop ringing.
    const siblings = this.options.multiDevice && passes && !recipients.includes(session.userID) ? this.sessionsOf(session.userID).filter((s) => s !== session) : [];
    const synced = siblings.filter((s) => this.roomFor(s) && !(m.answer && s.backlog));
    const kept = m.answer ? siblings.filter((s) => !synced.includes(s)) : [];
    // Its copies, decided once, are what it pays for (`fanout.ts`), once nothing refuses it (an invitation's room grant last).
    // Its share here only: a group copy is never dropped on a cluster's cached share of the stream (it may be stale).
    const refused = (to: string) => (this.counts.full(to, bytes) ? 'maxBacklog' : this.counts.senders.full(session.userID, to, bytes, true) ? 'maxBacklogPerSender' : undefined);
    const routes = passes ? routeCopies(recipients, m.onlineUserOnly, this.options.redisUrl !== '', (to) => this.sessionsOf(to, false), (t) => this.roomFor(t), refused) : [];
    const fanout = fanoutCharge(c2c, routes.reduce((n, r) => n + r.copies, synced.length + kept.length), m.payload);
    const pay = () =>
      fanout > 0 && !this.budgets.takeOwing(session.userID, 'fanout', fanout, now)
        ? refuse('rateLimited', `${c2c ? 'copies to many devices' : 'group messages'}: at most ${limits.fanout.perSecond} copies per second, one per ${FANOUT_COPY_BYTES / 1024} KiB begun`, 'fanout')
        : null;
    const invited = m.call ? invitedAmong(m.call, recipients) : [];
    const refusal = m.call ? grantInvitation(this.grants, session.userID, m.call, invited, c2c, now, m.groupKey, pay) : pay();
    if (refusal) return refusal;
    // The same request sent again (after a crash too) makes the same id: see the header.
    const msgID = `${session.idStem}-${rid.toString(36)}-${key.toString(36)}`;
    if (gated && m.answer && !this.answers.pass(session.userID, deviceOf(session), m.answer, this.onlineDevices(session.userID))) {
      this.counters.limit('answerHeld'); // another device of this user answered first (or, busy, one of them may still)
      return { type: 'ack', rid, id: msgID, sentAt: now };
    }
    // Only whom the invitation reaches (and so was granted), never the list the client wrote.
    if (this.options.multiDevice && m.call) this.answers.invited(session.userID, m.call.inviteID, m.call.roomID, invited);
    const body: Body = {
      id: this.store.bodyID(),
      msgID,
      from: session.userID,
      groupID: m.groupID,
      payload: m.payload,
      sentAt: now,
      expiresAt: now + this.options.offlineTtlMs,
      call: m.call ? { inviteID: m.call.inviteID, roomID: m.call.roomID } : null,
    };
    // Not a busy answer: it stops no device ringing (it says only that the sender is busy).
    if (this.said && m.answer && m.answer.kind !== 'busy') this.said.keep(session.userID, invitationKey(m.answer.inviter ?? '', m.answer.inviteID), body);
    const copies: { delivery: number; to: string }[] = [];
    const handing: { target: Session; delivery: number }[] = [];
    // Every copy goes to a connection now (none waits in the store for a session): it may be held.
    let [allHanded, moving] = [this.writeBehind.mayHold(bytes), false];
    for (const { to, targets, skipped, online } of routes) {
      if (m.onlineUserOnly) {
        for (const target of targets) this.hand(target, body, null, bytes);
        // Cluster: a user online on another node gets it there (one device per user in a cluster).
        if (targets.length === 0 && (online > 0 || !this.elsewhere(to, body))) this.counters.droppedOffline++;
        continue;
      }
      if (skipped) {
        this.counters.limit(skipped);
        continue;
      }
      if (targets.length === 0) this.sessionsOf(to); // cluster: a copy stored for a user with no session here starts its move
      const delivery = this.store.deliveryID();
      copies.push({ delivery, to });
      this.counts.countCopy(session.userID, to, bytes);
      if (targets.some((t) => t.conn)) this.counters.relayed++;
      else this.counters.stored++;
      if (targets.length === 0) [allHanded, moving] = [allHanded && this.options.redisUrl !== '', true]; // no session: its next one starts from the store (cluster: it moves to its stream, from memory if held: cluster/outbox.ts)
      for (const target of targets) {
        if (target.conn && !target.backlog && this.roomFor(target)) handing.push({ target, delivery });
        else {
          target.backlog = true;
          allHanded = false;
        }
      }
    }
    for (const other of kept) keepMissed(other, body, this.store.deliveryID());
    let held: Held | null = null;
    if (copies.length > 0) {
      this.counts.countBody(session.userID, bytes);
      if (allHanded && !(moving && handing.length > 0)) held = this.writeBehind.hold(body, bytes, copies); // moving beside one handed: stored (held, its ack waited for that receipt or the window too)
      else {
        this.commit.write(() => {
          this.store.insertBody(body);
          for (const copy of copies) this.store.insertDelivery(copy.delivery, copy.to, body.id);
        });
      }
    }
    // Handed once the write is queued (or held), so that a stored copy waits for its commit.
    for (const { target, delivery } of handing) this.hand(target, body, delivery, bytes);
    for (const other of synced) this.hand(other, body, null, bytes, m.answer !== undefined);
    for (const other of kept) if (this.roomFor(other)) this.pump(other); // now, or once the commit is done
    const ack: ServerFrame = { type: 'ack', rid, id: body.msgID, sentAt: now };
    if (held) this.acksHeld.set(ack, held);
    return ack;
  }

  /**
   * Confirms the session's copies up to `upTo` but those in `except` (a backlog's invitations its client holds
   * until the backlog's end, `adapters/ws/backlog.ts`: they stay in its window): their stored rows go, and more are paged in.
   */
  receipt(session: Session, upTo: number, except?: readonly number[]): Refusal | void {
    if (upTo > session.seq) return refuse('badFrame', `received: upTo ${upTo} was never sent`);
    let n = 0;
    while (n < session.inflight.length && (session.inflight[n] as Inflight).seq <= upTo) n++;
    if (n === 0) return;
    let confirmed: Inflight[];
    if (except === undefined || except.length === 0) confirmed = session.inflight.splice(0, n);
    else {
      const kept = new Set(except);
      const covered = session.inflight.splice(0, n);
      confirmed = covered.filter((m) => !kept.has(m.seq));
      session.inflight.unshift(...covered.filter((m) => kept.has(m.seq)));
      if (confirmed.length === 0) return;
    }
    // A copy another device of the user still holds stays stored until that one confirms it too,
    // and so does one a connected device has not been handed yet (its window was full).
    const done = confirmed.filter((m) => m.delivery !== null && this.holders.unhold(m.delivery) === 0 && !this.holders.awaitedBySibling(session, m.delivery));
    const user = session.userID;
    this.counters.delivered += done.length;
    // A copy still held is dropped from its write: neither its insert nor its delete reaches SQLite (it counts no more now).
    const stored = done.filter((copy) => {
      const cancelled = copy.delivery === null ? null : this.writeBehind.confirm(copy.delivery);
      if (cancelled) this.counts.removed(copy.from, user, copy.bytes, { copy: true, body: cancelled.bodyGone });
      return cancelled === null;
    });
    // A stored one counts no more once its row goes, if this delete is the one that takes it (not a purge, a cluster's move).
    if (stored.length > 0) this.commit.write(() => stored.forEach((c) => this.counts.removed(c.from, user, c.bytes, this.store.removeCopy(c.delivery ?? 0, user, c.body))));
    // Nothing waits in the store for it (every copy went straight to its connection): no query.
    if (session.backlog || session.missedAnswers) this.pump(session);
  }

  /** The session is on a new connection: everything unconfirmed comes again, from the store. */
  attach(session: Session): void {
    this.release(session);
    // What is held for the user must be in the store for this one's paging: its other devices' (an invitation rings on a device
    // that logs in while it rings); a cluster's, held for a move. One node, one device: none but in its windows (no scan per login).
    if ((this.options.multiDevice || this.options.redisUrl !== '') && this.writeBehind.size > 0) this.writeBehind.flushTo(session.userID);
    session.cursor = 0;
    session.backlog = true;
    this.pump(session);
  }

  /** The session lost its connection: what was in flight is in the store already. */
  detach(session: Session): void {
    this.release(session);
    session.cursor = 0;
    session.backlog = true;
  }

  /** Pages stored copies into the session's window, once the turn's writes are committed. */
  pump(session: Session): void {
    this.commit.after(() => this.pumpNow(session));
  }

  /** Drops expired copies and recounts what is stored. Writes what is held and commits the turn first. */
  expire(nowMs: number): number {
    this.writeBehind.flush();
    this.commit.flush();
    const purged = this.store.expireMessages(nowMs);
    this.recount();
    return purged;
  }

  /** After a failed commit, the counts are read again from what the store holds, and what is held; returns the copies counted, and whether the counts were off (copies or bytes in all). */
  recount(): [copies: number, off: boolean] {
    return this.counts.recount(this.writeBehind.values());
  }

  /** Writes every held message in the turn's commit (before the store must be whole: shutdown, a cluster move). */
  flushHeld(): void {
    this.writeBehind.flush();
  }

  /** Many devices: `session` may enter `roomID` unless its user answered the room's invitation otherwise (see {@link AnswerLedger.enter}). */
  mayEnter(session: Session, roomID: number, record = true): boolean {
    return !this.options.multiDevice || this.answers.enter(session.userID, deviceOf(session), roomID, record);
  }

  /**
   * Many devices: a new session (past the resume grace, after a restart) gets the answers its user's other devices
   * sent to invitations the ledger still files, after its stored copies, as one back in its grace would. Read once
   * the turn's writes are committed: an answer sent before the login in this turn is in them, one after goes live.
   */
  recallAnswers(session: Session): void {
    const said = this.said;
    if (!said) return;
    this.commit.after(() => {
      try {
        const due = said.of(session.userID).filter((a) => a.by !== deviceOf(session) && this.answers.filed(a.key));
        if (due.length > 0) keepRecalled(session, due.map((a) => a.body), this.store.deliveryID()); // after every copy stored now
      } finally {
        recalled(session); // a failed read (I/O) recalls none, but the mark waits no more: else the client held its backlog for ever
        this.pump(session); // to tell where its backlog ends, if it waited for them
      }
    });
  }

  /** Many devices: the user has no session left, nothing it answered is remembered. */
  forgetAnswers(userID: string): void {
    this.answers.forget(userID);
  }

  /** The session's window is dropped: its stored copies are no longer held by it (they stay stored). */
  private release(session: Session): void {
    // Its next connection pages from the store: what it was handed unstored must be written first
    // (only that: the other held messages may still be confirmed inside their window).
    if (session.inflight.length > 0 && this.writeBehind.size > 0) this.writeBehind.flushFor(deliveriesOf(session.inflight));
    for (const copy of session.inflight) {
      if (copy.delivery !== null) this.holders.unhold(copy.delivery);
      // An answer of another device that this connection never confirmed: handed again on the next.
      else if (copy.answer) keepMissed(session, copy.answer, session.cursor);
    }
    session.inflight = [];
  }

  private pumpNow(session: Session): void {
    const { limits, clock } = this.options;
    for (;;) {
      const conn = session.conn;
      if (!conn || conn.closed) return;
      // Answers kept for it go after the stored copies that came before them (the invitation they answer, say).
      if (!session.backlog) {
        this.handMissed(session, Infinity);
        return tellBacklog(session, session.inflight.length >= limits.maxUnconfirmed);
      }
      const room = limits.maxUnconfirmed - session.inflight.length;
      if (room <= 0) return tellBacklog(session, true);
      if (conn.backedUp()) {
        this.counters.limit('deliveriesPaused'); // the socket's drain resumes it
        return;
      }
      const ask = Math.min(room, PAGE);
      const page = this.store.pendingFor(session.userID, session.cursor, clock.now(), ask);
      for (const copy of page) {
        if (conn.backedUp()) return this.counters.limit('deliveriesPaused');
        if (session.missedAnswers) this.handMissed(session, copy.delivery);
        this.hand(session, copy, copy.delivery, Buffer.byteLength(copy.payload));
      }
      if (page.length < ask) session.backlog = false;
    }
  }

  /** Cluster: an `onlineUserOnly` copy from another node, for `session` here (dropped when it cannot take it now). */
  handOnline(session: Session | undefined, copy: Body): void {
    if (session?.conn && this.roomFor(session)) this.hand(session, copy, null, Buffer.byteLength(copy.payload));
    else this.counters.droppedOffline++;
  }

  /** The devices of `userID` connected now (their names in the answer ledger). */
  private onlineDevices(userID: string): string[] {
    return this.sessionsOf(userID).filter((s) => s.conn).map(deviceOf);
  }

  /** Hands the session, if it has room, the answers of its user's other devices kept for it that came before stored copy `before`. */
  private handMissed(session: Session, before: number): void {
    const missed = session.missedAnswers;
    if (!missed || !this.roomFor(session)) return;
    const due = missed.filter((kept) => kept.after < before);
    session.missedAnswers = due.length === missed.length ? null : missed.filter((kept) => kept.after >= before);
    for (const { body } of due) this.hand(session, body, null, Buffer.byteLength(body.payload), true);
  }

  /** True when the session's connection may take a copy now. */
  private roomFor(session: Session): boolean {
    const conn = session.conn;
    if (!conn || session.inflight.length >= this.options.limits.maxUnconfirmed) return false;
    return !conn.backedUp();
  }

  /** Hands a copy to the session's connection (written after the commit). */
  private hand(session: Session, copy: Body, delivery: number | null, bytes: number, answer = false): void {
    const conn = session.conn;
    if (!conn) return;
    const seq = ++session.seq;
    session.inflight.push({ seq, delivery, body: copy.id, bytes, from: copy.from, expiresAt: copy.expiresAt, ...(answer ? { answer: copy } : {}) });
    if (delivery !== null) {
      session.cursor = Math.max(session.cursor, delivery);
      this.holders.handed(session, delivery);
    }
    if (this.commit.pending) this.unsentIfFailed(session, seq);
    conn.sendDurable(messageFrame(copy, seq), null);
  }

  /** The copy `seq` goes once the turn's commit is done; if it fails, it leaves the session's window (one effect per turn). */
  private unsentIfFailed(session: Session, seq: number): void {
    if (this.unsent === null) {
      const unsent: (Session | number)[] = (this.unsent = []);
      const done = () => void (this.unsent === unsent ? (this.unsent = null) : null);
      this.commit.after(done, () => {
        done();
        for (let i = 0; i + 1 < unsent.length; i += 2) this.unhand(unsent[i] as Session, unsent[i + 1] as number);
      });
    }
    this.unsent.push(session, seq);
  }

  /** The copy `seq` never went to the session's connection (its commit failed): a later receipt must not count it. */
  private unhand(session: Session, seq: number): void {
    const i = session.inflight.findIndex((m) => m.seq === seq);
    if (i < 0) return;
    const [copy] = session.inflight.splice(i, 1);
    if (copy?.delivery != null) this.holders.unhold(copy.delivery);
  }

  /**
   * A held copy written only after a write of it failed (its recipient's connection went, say): a connection of its
   * recipient that does not hold it (it paged the store before the copy was there), nor confirmed it while the commit
   * waited (the row is gone: it was handed twice), gets it now, in order unless its paging went past it. (Cluster: a
   * recipient with no session here starts its move, `sessionsOf`.) Before 2026-12-06 night it waited in the store.
   */
  private lateCopy(session: Session, held: Held, delivery: number): void {
    if (!session.conn || session.inflight.some((m) => m.delivery === delivery) || !this.store.hasCopy(delivery)) return;
    if (delivery <= session.cursor) return this.hand(session, held.body, delivery, held.bytes);
    session.backlog = true;
    this.pump(session);
  }
}
