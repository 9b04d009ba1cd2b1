/**
 * While dialling: who is being called, a ring timer against the timeout, a Cancel button (the
 * call controls' hang-up), and, from the presence feed, a note when a callee is offline (their
 * invitation waits on the server and rings if they come online in time).
 */
import type { CallingSnapshot } from 'headless-calling';
import type { PresenceView } from 'headless-calling/embedded';
import { $, clockText, el, names, paintAvatar } from './dom';

type Call = NonNullable<CallingSnapshot['call']>;

const STATUS: Record<string, string> = {
  pending: 'ringing',
  accepted: 'answered',
  joined: 'in the call',
  rejected: 'declined',
  busy: 'busy',
  noResponse: 'no answer',
  cancelled: 'cancelled',
  left: 'left',
};

/** The most callees' avatars the dial shows; past them, one "+N". */
const AVATARS = 4;

/** The dialing panel of the stage. */
export class DialingPanel {
  private started = 0;
  private timeoutS = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Who was offline when the call started (the note keys on them). */
  private offlineAtStart = new Set<string>();
  private invitees: readonly string[] = [];

  /** A dial began: starts the ring timer. `timeoutS` 0 rings until cancelled. */
  start(invitees: readonly string[], timeoutS: number, presence: PresenceView): void {
    this.stop();
    this.invitees = invitees;
    this.started = performance.now();
    this.timeoutS = timeoutS;
    this.offlineAtStart = new Set(presence.state === 'live' ? invitees.filter((u) => !presence.online.includes(u)) : []);
    this.paintAvatars(invitees);
    $('dialing-who').textContent = `Calling ${names(invitees)}…`;
    this.tick();
    this.timer = setInterval(() => this.tick(), 250);
  }

  /**
   * Follows the call (invitees' answers) and presence (someone came online). `pending`: call()
   * runs but the call has not begun yet (the devices are being captured).
   */
  update(call: Call | null, presence: PresenceView, pending: boolean): void {
    if (!pending && call?.state !== 'dialing') return this.stop();
    const note = $('offline-note');
    const online = new Set(presence.state === 'live' ? presence.online : []);
    const offline = [...this.offlineAtStart].filter((u) => !online.has(u));
    const cameOnline = [...this.offlineAtStart].filter((u) => online.has(u));
    const within = this.timeoutS > 0 ? ` (within ${this.timeoutS} s)` : '';
    note.textContent = [
      offline.length ? `${names(offline)} ${offline.length > 1 ? 'are' : 'is'} offline: they will ring when they come online${within}.` : '',
      cameOnline.length ? `${names(cameOnline)} came online: ringing now.` : '',
    ]
      .filter(Boolean)
      .join(' ');
    note.dataset.offline = offline.join(' ');
    const list = $('invitees');
    if (call && call.invitees.length > 1) {
      list.replaceChildren(
        ...call.invitees.map((i) => el('li', { testid: `invitee-${i.userID}`, text: `${i.userID}: ${offline.includes(i.userID) && i.status === 'pending' ? 'offline' : (STATUS[i.status] ?? i.status)}` })),
      );
    } else list.replaceChildren();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Who is dialled now (empty when no dial runs). */
  get dialled(): readonly string[] {
    return this.timer === null ? [] : this.invitees;
  }

  /**
   * Each callee's avatar, overlapping, the first four and then "+N" (a group dial showed the first callee's alone).
   * The first is `#dialing-avatar`, kept as the page has it.
   */
  private paintAvatars(invitees: readonly string[]): void {
    const first = $('dialing-avatar');
    paintAvatar(first, invitees[0] ?? '?');
    const more = invitees.slice(1, AVATARS).map((userID) => {
      const avatar = el('div', { className: 'avatar big' });
      paintAvatar(avatar, userID);
      return avatar;
    });
    const rest = invitees.length - AVATARS;
    if (rest > 0) more.push(el('div', { className: 'avatar big', text: `+${rest}` }));
    $('dialing-avatars').replaceChildren(first, ...more);
  }

  private tick(): void {
    const elapsed = performance.now() - this.started;
    // The caller's own timer gives up a few seconds past the timeout (the library's grace): the count stops at it.
    const limit = this.timeoutS * 1000;
    $('dialing-timer').textContent = this.timeoutS > 0 ? `${clockText(Math.min(elapsed, limit))} / ${clockText(limit)}` : clockText(elapsed);
  }
}
