/**
 * An in-process IM server shared by many clients, driven by an injected clock: C2C and group
 * messages, the offline store, duplicate-login kicks, reachability and fault injection.
 * Deterministic: time comes from the clock, randomness from a seeded PRNG.
 *
 * Many devices (`multiDevice: true` here and `connect({ device })` for the client), as the
 * embedded server does it: ports of one user that name different devices stay logged in together;
 * a message rings every one; what one sends is handed to the others too (never stored); answers
 * pass the `AnswerLedger` (the first answer of a user to an invitation goes, busy once all are).
 */
import { checkDelay, checkFaults, checkGroup, checkRate, checkRule, checkSeed, checkSwitch } from './checks';
import type { UserID } from '../../machines/types';
import { answerOf, inviteOf } from '../answers';
import type { Clock } from '../clock';
import { withoutSettled } from '../settledInvitations';
import { AnswerLedger } from '../ws/answerLedger';
import { checkOfflineTtl, DEFAULT_OFFLINE_TTL_MS, OfflineStore } from './offlineStore';
import {
  ImPortError,
  type ConnectionState,
  type ImMessage,
  type ImPort,
  type SendOptions,
  type Unsubscribe,
} from '../ImPort';

/** What a fault rule sees of one message copy (one per recipient). */
export interface ImEnvelopeInfo {
  readonly from: UserID;
  readonly to: UserID;
  readonly groupID?: string;
  readonly payload: string;
  /** Hub-wide send order, one number per recipient copy. */
  readonly seq: number;
}

/**
 * `drop` loses it on the way (the hub took it), `duplicate` delivers it twice, `{ delay }` delivers it
 * after `delay` ms instead of the latency; `refuse` fails the send itself (the sender's port rejects, as
 * an IM refusing a message does: a rate limit, say), for every recipient.
 */
export type ImRuleAction = 'drop' | 'duplicate' | 'refuse' | { readonly delay: number };

/** A precise fault: the first rule that matches a transmission applies. */
export interface ImFaultRule {
  readonly match: (message: ImEnvelopeInfo) => boolean;
  readonly action: ImRuleAction;
  /** How many transmissions it applies to before it retires (default: unlimited). */
  readonly times?: number;
}

/** Random faults, drawn from a PRNG seeded by `seed`. Rates are probabilities in 0..1. */
export interface ImFaults {
  readonly latency?: number;
  /** Extra uniform delay in `[0, jitter)` ms per transmission. */
  readonly jitter?: number;
  readonly dropRate?: number;
  readonly duplicateRate?: number;
  /** Chance of an extra delay of one to four latencies, so later messages overtake. */
  readonly reorderRate?: number;
  /** Reseeds the PRNG (the hub starts with seed 1). */
  readonly seed?: number;
}

/** What became of a message copy: one log entry per decision, in the order they happened. */
export type ImFate = 'delivered' | 'dropped' | 'duplicated' | 'stored';

/**
 * Why: a fault (`rule`, `random`), the recipient was not online (`offline`, `onlineUserOnly`), a
 * stored message waited past the hub's `offlineTtlMs` (`expired`: dropped, never delivered), or it was
 * a stored invitation settled before its user came back, or what settled it (`settled`, see `flush`).
 */
export type ImFateReason = 'rule' | 'random' | 'offline' | 'onlineUserOnly' | 'answeredElsewhere' | 'expired' | 'settled';

/** One line of {@link InMemoryImHub.log}. */
export interface ImLogEntry extends ImEnvelopeInfo {
  readonly fate: ImFate;
  readonly reason?: ImFateReason;
  readonly sentAt: number;
  /** Clock time of the decision. */
  readonly at: number;
}

/** Options of {@link InMemoryImHub}. */
export interface ImHubOptions {
  readonly clock: Clock;
  /** Delivery delay in ms (default 20). */
  readonly latency?: number;
  /** Extra credential check; an empty `userSig` is always refused. */
  readonly verifyUserSig?: (userID: UserID, userSig: string) => boolean;
  /** Where a listener's exception goes (default `console.error`); it never reaches the hub. */
  readonly onListenerError?: (error: unknown) => void;
  /** Many devices: ports that name different devices (`connect({ device })`) coexist (default off: a second login kicks the first). */
  readonly multiDevice?: boolean;
  /**
   * How long a message to a user who is not online waits for them, in ms of the clock (default 7 days,
   * the embedded server's `offlineTtlMs`); `Infinity` keeps it until they log in. A positive integer.
   */
  readonly offlineTtlMs?: number;
  /**
   * How many entries {@link InMemoryImHub.log} keeps, the latest (default {@link DEFAULT_LOG_LIMIT});
   * `Infinity` keeps every one, `0` none. A non-negative integer.
   */
  readonly logLimit?: number;
}

/** The default bound of {@link InMemoryImHub.log}: far more than an assertion test routes, a bound for a soak test. */
export const DEFAULT_LOG_LIMIT = 10_000;

function checkLogLimit(limit: unknown): number {
  if (limit === Infinity || (typeof limit === 'number' && Number.isInteger(limit) && limit >= 0)) return limit;
  throw new RangeError(`logLimit must be a non-negative integer, or Infinity (got ${String(limit)})`);
}

interface Envelope extends ImEnvelopeInfo {
  readonly sentAt: number;
  readonly onlineUserOnly: boolean;
  /** Many devices: a copy of the sender's own message for this other device of it only (never stored). */
  readonly device?: InMemoryImPort;
}

/** mulberry32: a tiny, good-enough seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The IM hub. Create ports with {@link InMemoryImHub.connect}. */
export class InMemoryImHub {
  private readonly entries: ImLogEntry[] = [];
  private readonly logLimit: number;
  private readonly clock: Clock;
  private readonly verify: ((userID: UserID, userSig: string) => boolean) | undefined;
  private readonly onListenerError: (error: unknown) => void;
  private faults: Required<Omit<ImFaults, 'seed'>>;
  private random: () => number = mulberry32(1);
  private rules: { rule: ImFaultRule; left: number }[] = [];
  /** Each user's logged-in ports (one, unless many devices), oldest first. */
  private readonly sessions = new Map<UserID, InMemoryImPort[]>();
  private readonly multiDevice: boolean;
  private readonly answers = new AnswerLedger<InMemoryImPort>();
  private readonly unreachable = new Set<UserID>();
  private readonly offline: OfflineStore<Envelope>;
  private readonly groups = new Map<string, UserID[]>();
  private seq = 0;

  /** Throws a `RangeError` for an `offlineTtlMs` or `logLimit` out of range. */
  constructor(options: ImHubOptions) {
    // Absent means the default; anything else (null too) is checked.
    this.logLimit = checkLogLimit(options.logLimit === undefined ? DEFAULT_LOG_LIMIT : options.logLimit);
    const ttl = checkOfflineTtl(options.offlineTtlMs === undefined ? DEFAULT_OFFLINE_TTL_MS : options.offlineTtlMs);
    this.offline = new OfflineStore<Envelope>(ttl, (e) => this.record(e, 'dropped', 'expired'), options.clock.now());
    this.clock = options.clock;
    this.verify = options.verifyUserSig;
    this.onListenerError = options.onListenerError ?? ((error) => console.error(error));
    this.multiDevice = options.multiDevice ?? false;
    this.faults = { latency: options.latency === undefined ? 20 : checkDelay('latency', options.latency), jitter: 0, dropRate: 0, duplicateRate: 0, reorderRate: 0 };
  }

  /**
   * Every routing decision, oldest first, for assertions: the latest `logLimit` of them (10,000 by
   * default), so that a soak test does not hold every message it ever sent. Read it here each time
   * (a copy kept aside may hold older entries); {@link InMemoryImHub.clearLog} empties it.
   */
  get log(): ImLogEntry[] {
    if (this.entries.length > this.logLimit) this.entries.splice(0, this.entries.length - this.logLimit);
    return this.entries;
  }

  /** Empties {@link InMemoryImHub.log}: a soak test's checkpoint, or a test that asserts only what follows. */
  clearLog(): void {
    this.entries.length = 0;
  }

  /**
   * How many messages the offline store holds for `userID` (every user's without one): those that
   * wait for their user to log in, the expired gone (see `offlineTtlMs`).
   */
  stored(userID?: UserID): number {
    this.offline.purge(this.clock.now(), true);
    return this.offline.count(userID);
  }

  /** A new client connection (logged out); `device` names it as one device of its user (many devices). */
  connect(options: { readonly device?: string } = {}): InMemoryImPort {
    return new InMemoryImPort(this, this.onListenerError, options.device ?? null);
  }

  /** Merges random-fault knobs; `seed` restarts the PRNG. An unknown knob: a `TypeError`, and nothing changes. */
  setFaults(faults: ImFaults): void {
    const { seed, latency, jitter, dropRate, duplicateRate, reorderRate } = checkFaults(faults);
    // Every knob checked before any is set: a refused call changes nothing.
    const next = {
      latency: latency === undefined ? this.faults.latency : checkDelay('latency', latency),
      jitter: jitter === undefined ? this.faults.jitter : checkDelay('jitter', jitter),
      dropRate: dropRate === undefined ? this.faults.dropRate : checkRate('dropRate', dropRate),
      duplicateRate: duplicateRate === undefined ? this.faults.duplicateRate : checkRate('duplicateRate', duplicateRate),
      reorderRate: reorderRate === undefined ? this.faults.reorderRate : checkRate('reorderRate', reorderRate),
    };
    const random = seed === undefined ? this.random : mulberry32(checkSeed(seed));
    this.faults = next;
    this.random = random;
  }

  /** Adds a precise fault rule; the returned function removes it. A malformed rule: a `TypeError` or `RangeError`. */
  addRule(rule: ImFaultRule): () => void {
    const entry = { rule: checkRule(rule), left: rule.times ?? Infinity };
    this.rules.push(entry);
    return () => {
      this.rules = this.rules.filter((r) => r !== entry);
    };
  }

  /** Creates a group; throws when the ID is taken, a `TypeError` for an empty ID or members not an array of user IDs. */
  createGroup(groupID: string, members: readonly UserID[]): void {
    if (this.groups.has(groupID)) throw new Error(`group ${groupID} already exists`);
    this.groups.set(groupID, [...new Set(checkGroup(groupID, members))]);
  }

  /** Adds a member (idempotent); throws for an unknown group. */
  joinGroup(groupID: string, userID: UserID): void {
    const members = this.group(groupID);
    if (!members.includes(userID)) members.push(userID);
  }

  /** Removes a member (idempotent); throws for an unknown group. */
  quitGroup(groupID: string, userID: UserID): void {
    const members = this.group(groupID);
    const i = members.indexOf(userID);
    if (i >= 0) members.splice(i, 1);
  }

  /** A group's members in join order (empty for an unknown group). */
  members(groupID: string): readonly UserID[] {
    return [...(this.groups.get(groupID) ?? [])];
  }

  /** Logged in and reachable: messages to this user are delivered, not stored. */
  isOnline(userID: UserID): boolean {
    return this.ports(userID).length > 0 && !this.unreachable.has(userID);
  }

  /** Simulates the user's network going down (`false`) or coming back (`true`); anything else: a `TypeError`. */
  setReachable(userID: UserID, reachable: boolean): void {
    if (checkSwitch('setReachable', 'reachable', userID, reachable) === !this.unreachable.has(userID)) return;
    const ports = this.ports(userID);
    if (!reachable) {
      this.unreachable.add(userID);
      for (const port of ports) port.emit('connection', 'disconnected');
      return;
    }
    this.unreachable.delete(userID);
    for (const port of ports) port.emit('connection', 'connected');
    if (ports.length > 0) this.flush(userID);
  }

  /** @internal */
  async login(port: InMemoryImPort, userID: UserID, userSig: string): Promise<void> {
    if (!userID || !userSig || (this.verify && !this.verify(userID, userSig))) {
      throw new ImPortError(70001, 'invalid userSig');
    }
    if (this.unreachable.has(userID)) throw new ImPortError(2805, 'no network');
    if (port.userID !== null && port.userID !== userID) this.logout(port);
    const others = this.ports(userID).filter((p) => p !== port);
    // The newer session wins, like Tencent IM's default multi-login policy; with many devices, over its own device only.
    const replaced = this.multiDevice && port.device !== null ? others.filter((p) => p.device === null || p.device === port.device) : others;
    this.sessions.set(userID, [...others.filter((p) => !replaced.includes(p)), port]);
    port.userID = userID;
    for (const previous of replaced) {
      previous.userID = null;
      previous.emit('kicked', 'multipleAccount');
    }
    port.emit('connection', 'connected');
    this.flush(userID);
  }

  /** @internal */
  logout(port: InMemoryImPort): void {
    const userID = port.userID;
    if (userID === null) return;
    port.userID = null;
    const left = this.ports(userID).filter((p) => p !== port);
    if (left.length > 0) this.sessions.set(userID, left);
    else {
      this.sessions.delete(userID);
      this.answers.forget(userID);
    }
  }

  /** Many devices: `port` may enter `roomID` unless its user answered the room's invitation otherwise (the room's rule, `network.ts`). */
  mayEnter(port: InMemoryImPort, roomID: number): boolean {
    return !this.multiDevice || port.userID === null || this.answers.enter(port.userID, port, roomID);
  }

  /** The ports logged in as `userID`, oldest first. */
  private ports(userID: UserID): readonly InMemoryImPort[] {
    return this.sessions.get(userID) ?? [];
  }

  /** @internal */
  async send(port: InMemoryImPort, to: { user: UserID } | { group: string }, payload: string, options: SendOptions): Promise<void> {
    const from = port.userID;
    if (from === null) throw new ImPortError(2024, 'not logged in');
    if (this.unreachable.has(from)) throw new ImPortError(2805, 'no network');
    let recipients: readonly UserID[];
    let groupID: string | undefined;
    if ('user' in to) {
      recipients = [to.user];
    } else {
      const members = this.groups.get(to.group);
      if (!members) throw new ImPortError(10010, `group ${to.group} does not exist`);
      if (!members.includes(from)) throw new ImPortError(10010, `${from} is not a member of ${to.group}`);
      groupID = to.group;
      recipients = members.filter((m) => m !== from);
    }
    const sentAt = this.clock.now();
    this.offline.purge(sentAt); // at most hourly: what expired for users who never log in again
    const group = groupID === undefined ? {} : { groupID };
    const refusing = this.rules.find((r) => r.left > 0 && r.rule.action === 'refuse' && recipients.some((to) => r.rule.match({ from, to, payload, seq: this.seq + 1, ...group })));
    if (refusing) {
      if (--refusing.left <= 0) this.rules = this.rules.filter((r) => r !== refusing);
      throw new ImPortError(20, 'refused by a fault rule');
    }
    const answer = this.multiDevice ? answerOf(payload, from) : undefined;
    if (answer && !this.answers.pass(from, port, answer, this.ports(from))) {
      // Another device of this user answered first (or, busy, another may still answer).
      for (const to of recipients) this.record({ from, to, payload, seq: ++this.seq, sentAt, onlineUserOnly: true, ...group }, 'dropped', 'answeredElsewhere');
      return;
    }
    const invite = this.multiDevice ? inviteOf(payload, from) : undefined;
    // Only whom the invitation reaches, as the embedded server does: a C2C invitation of a group call
    // lists every invitee, and must not void the answers of those it does not go to.
    if (invite) this.answers.invited(from, invite.inviteID, invite.roomID, invite.invitees.filter((u) => recipients.includes(u)));
    for (const recipient of recipients) {
      this.accept({ from, to: recipient, payload, seq: ++this.seq, sentAt, onlineUserOnly: options.onlineUserOnly, ...group });
    }
    // Many devices: the sender's other devices hear what it said, live.
    if (!this.multiDevice) return;
    for (const device of this.ports(from)) {
      if (device !== port) this.transmit({ from, to: from, payload, seq: ++this.seq, sentAt, onlineUserOnly: true, device, ...group });
    }
  }

  private group(groupID: string): UserID[] {
    const members = this.groups.get(groupID);
    if (!members) throw new Error(`group ${groupID} does not exist`);
    return members;
  }

  private record(envelope: Envelope, fate: ImFate, reason?: ImFateReason): void {
    const { onlineUserOnly: _omit, device: _device, ...info } = envelope;
    this.entries.push({ ...info, fate, ...(reason ? { reason } : {}), at: this.clock.now() });
    // Trimmed in batches here (exactly when read): dropping one entry per message costs a copy of the log.
    if (this.entries.length > this.logLimit + Math.ceil(this.logLimit / 4)) this.entries.splice(0, this.entries.length - this.logLimit);
  }

  /** The hub holds a message: send it on now, store it, or drop it (`onlineUserOnly`). */
  private accept(envelope: Envelope): void {
    if (this.isOnline(envelope.to)) this.transmit(envelope);
    else if (envelope.onlineUserOnly) this.record(envelope, 'dropped', 'onlineUserOnly');
    else this.store(envelope);
  }

  private store(envelope: Envelope): void {
    this.offline.put(envelope);
    this.record(envelope, 'stored', 'offline');
  }

  /**
   * The user's stored messages go on, in send order; the expired are dropped (logged `expired`), and so
   * are an invitation settled meanwhile and what settled it (logged `settled`): as the embedded server's
   * client and Tencent's replay drop them (`settledInvitations.ts`), it never rings for an instant.
   */
  private flush(userID: UserID): void {
    const { kept, dropped } = withoutSettled(this.offline.take(userID, this.clock.now()), userID);
    for (const envelope of dropped) this.record(envelope, 'dropped', 'settled');
    for (const envelope of kept) this.transmit(envelope);
  }

  /** The hop from the hub to the recipient: where faults happen. */
  private transmit(envelope: Envelope): void {
    const { latency } = this.faults;
    const rule = this.rules.find((r) => r.left > 0 && r.rule.action !== 'refuse' && r.rule.match(envelope));
    if (rule) {
      rule.left--;
      if (rule.left <= 0) this.rules = this.rules.filter((r) => r !== rule);
      const action = rule.rule.action;
      if (action === 'drop') return this.record(envelope, 'dropped', 'rule');
      if (action === 'duplicate') return this.duplicate(envelope, latency, 'rule');
      if (action !== 'refuse') return this.schedule(envelope, action.delay);
    }
    const { jitter, dropRate, duplicateRate, reorderRate } = this.faults;
    if (dropRate > 0 && this.random() < dropRate) return this.record(envelope, 'dropped', 'random');
    let delay = latency;
    if (jitter > 0) delay += this.random() * jitter;
    if (reorderRate > 0 && this.random() < reorderRate) delay += Math.max(latency, 1) * (1 + 3 * this.random());
    if (duplicateRate > 0 && this.random() < duplicateRate) return this.duplicate(envelope, delay, 'random');
    this.schedule(envelope, delay);
  }

  private duplicate(envelope: Envelope, delay: number, reason: ImFateReason): void {
    this.record(envelope, 'duplicated', reason);
    this.schedule(envelope, delay);
    this.schedule(envelope, delay + this.faults.latency);
  }

  private schedule(envelope: Envelope, delay: number): void {
    this.clock.setTimeout(() => this.arrive(envelope), delay);
  }

  /** A copy reaches the user's current sessions (or the one device it is for), or goes back to the store. */
  private arrive(envelope: Envelope): void {
    const { device } = envelope;
    const sessions = device ? this.ports(envelope.to).filter((p) => p === device) : this.ports(envelope.to);
    if (sessions.length === 0 || !this.isOnline(envelope.to)) {
      if (envelope.onlineUserOnly) this.record(envelope, 'dropped', 'onlineUserOnly');
      else this.store(envelope);
      return;
    }
    this.record(envelope, 'delivered');
    const message: ImMessage = {
      from: envelope.from,
      payload: envelope.payload,
      sentAt: envelope.sentAt,
      ...(envelope.groupID === undefined ? {} : { groupID: envelope.groupID }),
    };
    for (const session of sessions) session.emit('message', message);
  }
}

interface PortChannels {
  message: ImMessage;
  kicked: string;
  connection: ConnectionState;
}

/** One client's connection to an {@link InMemoryImHub}. */
export class InMemoryImPort implements ImPort {
  /** The logged-in user, or `null`. Written only by the hub. */
  userID: UserID | null = null;
  private readonly listeners: { [K in keyof PortChannels]: Set<(value: PortChannels[K]) => void> } =
    { message: new Set(), kicked: new Set(), connection: new Set() };

  /** @internal Use {@link InMemoryImHub.connect}. */
  constructor(
    private readonly hub: InMemoryImHub,
    private readonly onListenerError: (error: unknown) => void,
    /** Many devices: the device this port logs in as (`null`: the user's only one). */
    readonly device: string | null = null,
  ) {}

  login(userID: UserID, userSig: string): Promise<void> {
    return this.hub.login(this, userID, userSig);
  }
  async logout(): Promise<void> {
    this.hub.logout(this);
  }
  sendToUser(to: UserID, payload: string, options: SendOptions): Promise<void> {
    return this.hub.send(this, { user: to }, payload, options);
  }
  sendToGroup(groupID: string, payload: string, options: SendOptions): Promise<void> {
    return this.hub.send(this, { group: groupID }, payload, options);
  }
  onMessage(listener: (message: ImMessage) => void): Unsubscribe {
    return this.on('message', listener);
  }
  onKickedOut(listener: (reason: string) => void): Unsubscribe {
    return this.on('kicked', listener);
  }
  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.on('connection', listener);
  }

  /** @internal Calls every listener of a channel; a listener's exception never reaches the hub. */
  emit<K extends keyof PortChannels>(channel: K, value: PortChannels[K]): void {
    for (const listener of [...this.listeners[channel]]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  private on<K extends keyof PortChannels>(channel: K, listener: (value: PortChannels[K]) => void): Unsubscribe {
    this.listeners[channel].add(listener);
    return () => {
      this.listeners[channel].delete(listener);
    };
  }
}
