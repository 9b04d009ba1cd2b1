/**
 * The live statechart of the current call, drawn by the page itself (no network, no Stately
 * editor): nested boxes from `statechartOf(callMachine)`, the active states highlighted, and
 * the events the active states accept listed underneath.
 */
import { callMachine } from 'headless-calling';
import { type Statechart, type StatechartNode, activeIds, statechartOf } from 'headless-calling/inspect';

/** Draws the call machine into `host`; `update(value)` highlights a snapshot value. */
export class StatechartView {
  private readonly chart: Statechart = statechartOf(callMachine);
  private readonly boxes = new Map<string, HTMLElement>();
  private readonly next: HTMLElement;

  constructor(
    private readonly host: HTMLElement,
    private readonly caption: HTMLElement,
  ) {
    host.replaceChildren(this.draw(this.chart.root));
    this.next = document.createElement('div');
    this.next.className = 'sc-next';
    this.next.dataset.testid = 'sc-next';
    host.appendChild(this.next);
    this.update(null, 'no call');
  }

  /** Highlights the states of a call snapshot's `value` (`null`: no call). */
  update(value: unknown, caption: string): void {
    const active = new Set(value === null ? [] : activeIds(this.chart.root.id, value));
    if (value !== null) active.add(this.chart.root.id);
    for (const [id, box] of this.boxes) box.classList.toggle('active', active.has(id));
    this.host.dataset.active = [...active].join(' ');
    this.caption.textContent = caption;
    const events = new Set(this.chart.transitions.filter((t) => active.has(t.from)).map((t) => t.event).filter((name) => name !== 'always'));
    this.next.replaceChildren(
      document.createTextNode(events.size ? 'Accepts: ' : ''),
      ...[...events].sort().map((name) => {
        const code = document.createElement('code');
        code.textContent = name;
        return code;
      }),
    );
  }

  private draw(node: StatechartNode): HTMLElement {
    const box = document.createElement('div');
    box.className = 'sc-node';
    box.dataset.stateId = node.id;
    if (node.final) box.classList.add('final');
    if (node.children.length > 1 && !node.initial) box.classList.add('parallel');
    if (node.description) box.title = node.description;
    const label = document.createElement('div');
    label.className = 'sc-label';
    label.textContent = node.path.at(-1) ?? node.id;
    box.appendChild(label);
    if (node.children.length) {
      const children = document.createElement('div');
      children.className = 'sc-children';
      for (const child of node.children) children.appendChild(this.draw(child));
      box.appendChild(children);
    }
    this.boxes.set(node.id, box);
    return box;
  }
}
