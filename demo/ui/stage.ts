/**
 * The call on stage: the remote users' videos (one fills the stage, several share it), a small
 * self-view, and the header with who is in the call and for how long.
 */
import { $, el, paintAvatar } from './dom';

/** Video tiles and the call header. */
export class Stage {
  private readonly remotes = $('tiles');
  private readonly self = $('self-view');

  /**
   * The tile of a remote user, created when missing (showing the avatar in an audio call, which
   * sends no USER_VIDEO_AVAILABLE to say so); returns the DOM id its video goes into.
   */
  addRemote(userID: string, audioOnly = false): string {
    const viewID = `view-${userID}`;
    if (document.getElementById(viewID)) return viewID;
    const tile = this.tile(userID, viewID, `tile-${userID}`, userID);
    tile.classList.toggle('no-video', audioOnly);
    this.remotes.append(tile);
    this.remotes.dataset.count = String(this.remotes.children.length);
    return viewID;
  }

  removeRemote(userID: string): void {
    this.remotes.querySelector(`[data-testid="tile-${CSS.escape(userID)}"]`)?.remove();
    this.remotes.dataset.count = String(this.remotes.children.length);
  }

  /** The self-view tile; returns the DOM id the local video goes into. */
  addSelf(userID: string): string {
    if (!document.getElementById('view-local')) this.self.append(this.tile(userID, 'view-local', 'tile-local', 'You'));
    return 'view-local';
  }

  /** Shows the avatar instead of the video (`video: false`), or the muted-microphone badge. */
  mark(userID: string | null, what: 'video' | 'audio', available: boolean): void {
    const tile = userID === null ? this.self.firstElementChild : this.remotes.querySelector(`[data-testid="tile-${CSS.escape(userID)}"]`);
    tile?.classList.toggle(what === 'video' ? 'no-video' : 'no-audio', !available);
  }

  /** The remote users shown. */
  get remoteIDs(): string[] {
    return [...this.remotes.children].map((t) => (t as HTMLElement).dataset.userId ?? '');
  }

  get hasSelf(): boolean {
    return this.self.childElementCount > 0;
  }

  clear(): void {
    this.remotes.replaceChildren();
    this.remotes.dataset.count = '0';
    this.self.replaceChildren();
  }

  private tile(userID: string, viewID: string, testid: string, caption: string): HTMLElement {
    const view = el('div', { className: 'view' });
    view.id = viewID;
    const avatar = el('div', { className: 'avatar big' });
    paintAvatar(avatar, userID);
    const name = el('div', { className: 'name', text: caption }, el('span', { className: 'mic-off', text: 'muted' }));
    const tile = el('div', { className: 'tile', testid }, el('div', { className: 'avatar-wrap' }, avatar), view, name);
    tile.dataset.userId = userID;
    return tile;
  }
}
