/** Video tiles: one per participant, the local one first, each with a name, camera and mic state. */

/** The tiles of the stage. */
export class Tiles {
  constructor(private readonly host: HTMLElement) {}

  /** The tile of `userID` (`local: true` for the own camera), created when missing; returns its view's DOM id. */
  add(userID: string, local: boolean): string {
    const viewID = local ? 'view-local' : `view-${userID}`;
    if (document.getElementById(viewID)) return viewID;
    const tile = document.createElement('div');
    tile.className = `tile${local ? ' local' : ''}`;
    tile.dataset.testid = local ? 'tile-local' : `tile-${userID}`;
    tile.dataset.userId = userID;
    const view = document.createElement('div');
    view.className = 'view';
    view.id = viewID;
    const avatar = document.createElement('div');
    avatar.className = 'avatar';
    avatar.textContent = userID.slice(0, 1).toUpperCase();
    const name = document.createElement('div');
    name.className = 'name';
    name.textContent = local ? `${userID} (you)` : userID;
    const mic = document.createElement('span');
    mic.className = 'mic-off';
    mic.textContent = 'muted';
    name.appendChild(mic);
    tile.append(view, avatar, name);
    if (local) this.host.prepend(tile);
    else this.host.appendChild(tile);
    return viewID;
  }

  remove(userID: string): void {
    this.host.querySelector(`[data-testid="tile-${CSS.escape(userID)}"]`)?.remove();
  }

  /** Shows the avatar instead of the video (`video: false`), or the muted-mic badge. */
  mark(userID: string | null, what: 'video' | 'audio', available: boolean): void {
    const tile = this.host.querySelector(userID === null ? '[data-testid="tile-local"]' : `[data-testid="tile-${CSS.escape(userID)}"]`);
    tile?.classList.toggle(what === 'video' ? 'no-video' : 'no-audio', !available);
  }

  clear(): void {
    this.host.replaceChildren();
  }

  get count(): number {
    return this.host.children.length;
  }
}
