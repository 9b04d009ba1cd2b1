/** Who is online to call, from the embedded backend's presence feed: one click calls. */
import type { PresenceView } from 'headless-calling/embedded';
import { $, el, paintAvatar } from './dom';
import { setIcon } from './icons';

/** The "Online" list. */
export class PeopleList {
  private readonly list = $<HTMLUListElement>('people-list');
  private readonly empty = $('people-empty');
  private readonly count = $('people-count');

  constructor(private readonly onCall: (userID: string, type: 1 | 2) => void) {}

  /** Shows the feed; call buttons are disabled while `busy` (a call is on). */
  render(view: PresenceView, busy: boolean): void {
    const rows = view.online.map((userID) => {
      const avatar = el('span', { className: 'avatar' });
      paintAvatar(avatar, userID);
      const video = el('button', { className: 'icon-btn dial', testid: `call-video-${userID}` });
      const audio = el('button', { className: 'icon-btn dial', testid: `call-audio-${userID}` });
      setIcon(video, 'video');
      setIcon(audio, 'phone');
      for (const [button, type, what] of [[video, 2, 'Video'], [audio, 1, 'Audio']] as const) {
        button.type = 'button';
        button.title = `${what} call ${userID}`;
        button.setAttribute('aria-label', `${what} call ${userID}`);
        button.disabled = busy;
        button.addEventListener('click', () => this.onCall(userID, type));
      }
      const li = el('li', { testid: `person-${userID}` }, avatar, el('span', { className: 'name', text: userID }), el('span', { className: 'dot' }), video, audio);
      li.dataset.userId = userID;
      return li;
    });
    this.list.replaceChildren(...rows);
    this.count.textContent = view.state === 'live' ? String(view.online.length) : '';
    this.empty.textContent =
      view.state === 'unavailable'
        ? 'This server does not share who is online (it runs without --presence): call a user ID below.'
        : view.state !== 'live'
          ? 'Connecting…'
          : view.online.length === 0
            ? 'Nobody else is online yet. Open this page in another tab or on another device and sign in as someone else.'
            : '';
    this.empty.classList.toggle('hidden', this.empty.textContent === '');
  }
}
