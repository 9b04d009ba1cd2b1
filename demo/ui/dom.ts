/** Small DOM helpers of the demo page. */

/** The element with this id; throws when the page lacks it (a bug in index.html). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** Shows or hides an element (the `hidden` class). */
export function show(el: Element, visible: boolean): void {
  el.classList.toggle('hidden', !visible);
}

/** Creates an element with a class, text and test id. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { readonly className?: string; readonly text?: string; readonly testid?: string } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.testid) node.dataset.testid = props.testid;
  node.append(...children);
  return node;
}

/** A stable color per user, for avatars. */
export function hue(userID: string): number {
  let h = 0;
  for (const c of userID) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

/** Fills an avatar element: the user's initial on their color. */
export function paintAvatar(node: HTMLElement, userID: string): void {
  node.textContent = userID.slice(0, 1).toUpperCase();
  node.style.background = `hsl(${hue(userID)} 45% 38%)`;
}

/** `m:ss` (or `h:mm:ss`) for a duration in ms. */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = Math.floor(s / 60) % 60;
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A list of names in words: `bob`, `bob and carol`, `bob, carol and dave`. */
export function names(list: readonly string[]): string {
  if (list.length <= 1) return list[0] ?? '';
  return `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}
