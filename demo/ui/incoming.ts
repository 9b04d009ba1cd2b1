/**
 * The ringing dialog of an incoming call: who calls and how, Accept and Decline, the ringtone,
 * and the tab title. Errors of Accept (devices refused) show inside the dialog, above its
 * backdrop, while the call keeps ringing (memory backend: the person can decline it or try again);
 * on WebRTC the room is entered while the devices are captured, so a refusal ends the call and the
 * page shows it once the dialog is gone.
 */
import { setIcon } from './icons';
import { $, paintAvatar } from './dom';
import type { Ringtone } from './ringtone';

/** What rings. */
export interface Invitation {
  readonly inviteID: string;
  readonly sponsor: string;
  readonly callType: number;
  /** Everyone invited (this user included). */
  readonly userIDList: readonly string[];
  readonly isFromGroup: boolean;
}

/** The incoming-call dialog. */
export class IncomingCall {
  private readonly dialog = $<HTMLDialogElement>('incoming');
  private readonly error = $('incoming-error');
  private readonly acceptBtn = $<HTMLButtonElement>('accept-btn');
  private current: Invitation | null = null;
  private readonly baseTitle = document.title;

  constructor(
    private readonly ringtone: Ringtone,
    handlers: { accept(invitation: Invitation): void; reject(invitation: Invitation): void },
  ) {
    setIcon(this.acceptBtn, 'phone', 'Accept');
    setIcon($('reject-btn'), 'hangup', 'Decline');
    this.acceptBtn.addEventListener('click', () => {
      if (!this.current) return;
      this.error.classList.add('hidden');
      this.acceptBtn.disabled = true;
      handlers.accept(this.current);
    });
    $('reject-btn').addEventListener('click', () => {
      const invitation = this.current;
      if (invitation) handlers.reject(invitation);
      this.close();
    });
    this.dialog.addEventListener('cancel', (e) => e.preventDefault()); // Esc does not dismiss a ringing call
  }

  /** The invitation ringing now. */
  get invitation(): Invitation | null {
    return this.current;
  }

  ring(invitation: Invitation): void {
    this.current = invitation;
    const others = invitation.userIDList.length;
    paintAvatar($('incoming-avatar'), invitation.sponsor);
    $('incoming-from').textContent = invitation.sponsor;
    $('incoming-type').textContent = `${invitation.callType === 1 ? 'Audio' : 'Video'} call${invitation.isFromGroup || others > 1 ? ` · group of ${others + 1}` : ''}`;
    this.error.classList.add('hidden');
    this.acceptBtn.disabled = false;
    if (!this.dialog.open) this.dialog.showModal();
    this.ringtone.start();
    document.title = `📞 ${invitation.sponsor} is calling… · ${this.baseTitle}`;
  }

  /** Accept failed while the call still rings: says why inside the dialog. */
  failed(text: string): void {
    this.error.textContent = text;
    this.error.classList.remove('hidden');
    this.acceptBtn.disabled = false;
  }

  /** Answered, declined, cancelled or timed out: no more ringing. */
  close(): void {
    this.current = null;
    this.ringtone.stop();
    if (this.dialog.open) this.dialog.close();
    document.title = this.baseTitle;
  }

  /** Stops the ring but keeps the dialog (accepting: the devices are being captured). */
  quiet(): void {
    this.ringtone.stop();
    document.title = this.baseTitle;
  }
}
