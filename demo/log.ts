/** The live event log: every TRTCCalling event with its payload, newest first. */

/** One entry, as the page also exposes it to tests (`window.hcDemo.events`). */
export interface LogEntry {
  readonly name: string;
  readonly payload: unknown;
  /** Milliseconds since the page loaded. */
  readonly t: number;
}

/** Renders entries into an `<ol>` and keeps them. */
export class EventLog {
  readonly entries: LogEntry[] = [];

  constructor(
    private readonly list: HTMLOListElement,
    /** Shows how many entries there are (the drawer's tab). */
    private readonly count?: HTMLElement,
  ) {}

  /** Logs one event (or an action's failure, `kind: 'error'`). */
  add(name: string, payload: unknown, kind: 'event' | 'error' | 'action' = 'event'): void {
    const entry: LogEntry = { name, payload, t: Math.round(performance.now()) };
    this.entries.push(entry);
    const item = document.createElement('li');
    item.className = kind;
    item.dataset.event = name;
    item.dataset.payload = JSON.stringify(payload ?? null);
    const t = document.createElement('span');
    t.className = 't';
    t.textContent = `${(entry.t / 1000).toFixed(2)}s`;
    const n = document.createElement('span');
    n.className = 'n';
    n.textContent = name;
    const p = document.createElement('span');
    p.className = 'p';
    p.textContent = JSON.stringify(payload ?? {});
    item.append(t, n, p);
    this.list.prepend(item);
    if (this.count) this.count.textContent = String(this.list.children.length);
  }

  /** Empties the list shown (the entries tests read stay). */
  clear(): void {
    this.list.replaceChildren();
    if (this.count) this.count.textContent = '';
  }
}
