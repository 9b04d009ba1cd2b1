/**
 * The little DOM and storage Tencent's bundles touch in their page: elements with ids and
 * children (trtc-calling-js's hidden audio layer), an anchor that parses its `href` (axios's
 * same-origin check), the track a `getUserMedia` probe returns, and `sessionStorage`.
 */

/** The few element features the bundles use: ids, children, `innerHTML = ""`, `click()`, anchors' URL parts. */
export class FakeElement {
  readonly children: FakeElement[] = [];
  readonly style: Record<string, string> = {};
  readonly attributes = new Map<string, string>();
  onclick: (() => void) | null = null;
  parent: FakeElement | null = null;
  href = '';
  protocol = '';
  host = '';
  hostname = '';
  port = '';
  pathname = '';
  search = '';
  hash = '';

  constructor(
    readonly tagName: string,
    private readonly base: string,
  ) {}

  get id(): string {
    return this.attributes.get('id') ?? '';
  }
  set id(value: string) {
    this.attributes.set('id', value);
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
    if (name === 'href') {
      const url = new URL(String(value), this.base);
      Object.assign(this, { href: url.href, protocol: url.protocol, host: url.host, hostname: url.hostname, port: url.port, pathname: url.pathname, search: url.search, hash: url.hash });
    }
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  appendChild(child: FakeElement): FakeElement {
    child.parent?.removeChild(child);
    child.parent = this;
    this.children.push(child);
    return child;
  }
  removeChild(child: FakeElement): FakeElement {
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
    child.parent = null;
    return child;
  }
  set innerHTML(html: string) {
    if (html !== '') throw new Error('the fake DOM only empties elements');
    for (const child of [...this.children]) this.removeChild(child);
  }
  get innerHTML(): string {
    return '';
  }
  click(): void {
    this.onclick?.();
  }
  find(id: string): FakeElement | null {
    for (const child of this.children) {
      if (child.id === id) return child;
      const inner = child.find(id);
      if (inner) return inner;
    }
    return null;
  }
}

/** A media track as `getUserMedia` hands it out (the bundle only stops it). */
export class ProbeTrack {
  readyState = 'live';
  constructor(readonly kind: 'audio' | 'video') {}
  stop(): void {
    this.readyState = 'ended';
  }
}

/** `sessionStorage` / `localStorage`. */
export class FakeStorage {
  readonly #items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  clear(): void {
    this.#items.clear();
  }
}
