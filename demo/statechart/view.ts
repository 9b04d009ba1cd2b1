/**
 * One machine drawn as SVG from its layout: state boxes, arrows labelled with their events,
 * the active states highlighted, the transition just taken highlighted with the event that
 * fired it, and the events the active states wait for listed underneath (none once final).
 */
import { type Statechart, activeIds } from 'headless-calling/inspect';
import { el } from '../ui/dom';
import { type Edge, INITIAL_MARK, type Layout, edgeLabel, firedBy, layoutStatechart } from './layout';

const SVG = 'http://www.w3.org/2000/svg';
let nextMarker = 0;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

let canvas: CanvasRenderingContext2D | null | undefined;
/** Text width as the page will draw it. */
function measure(text: string, size: number): number {
  canvas ??= document.createElement('canvas').getContext('2d');
  if (!canvas) return text.length * size * 0.58;
  canvas.font = `${size}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  return canvas.measureText(text).width;
}


/** A drawn machine. */
export class MachineView {
  readonly element: HTMLElement;
  private readonly layout: Layout;
  private readonly boxes = new Map<string, SVGGElement>();
  private readonly edges: Array<{ edge: Edge; path: SVGPathElement; label: SVGTextElement; text: Text }> = [];
  private readonly anyItems: Array<{ to: string; events: readonly string[]; item: HTMLElement }> = [];
  private readonly caption: HTMLElement;
  private readonly waits: HTMLElement;
  private active = new Set<string>();
  private readonly marker = `sc-arrow-${++nextMarker}`;

  constructor(
    title: string,
    private readonly chart: Statechart,
    testid: string,
  ) {
    this.layout = layoutStatechart(chart, { measure });
    this.caption = el('span', { className: 'sc-caption', testid: `${testid}-caption` });
    this.waits = el('div', { className: 'sc-waits', testid: `${testid}-waits` });
    const anyList = el('ul', { className: 'sc-any' });
    for (const a of this.layout.anyState) {
      const item = el('li', { text: `from any state → ${a.to.split('.').at(-1)}: ${a.events.join(', ')}` });
      item.dataset.to = a.to;
      anyList.append(item);
      this.anyItems.push({ to: a.to, events: a.events, item });
    }
    const scroller = el('div', { className: 'sc-scroll' }, this.draw());
    this.element = el('section', { className: 'sc-machine', testid }, el('h3', { text: title }, this.caption), scroller, anyList, this.waits);
    this.update(null, false, null);
  }

  /**
   * Shows a snapshot: `value` (null: no actor), whether it is done, and the event that led to
   * it (its transition is highlighted, from the states active before).
   */
  update(value: unknown, done: boolean, eventType: string | null): void {
    const rootId = this.chart.root.id;
    const before = this.active;
    const active = new Set(value === null || value === undefined ? [] : [rootId, ...activeIds(rootId, value)]);
    // An event that moved nothing here (the call's events reach the line too) keeps the arrow last taken.
    if (eventType && !done && active.size > 0 && active.size === before.size && [...active].every((id) => before.has(id))) return;
    this.active = active;
    for (const [id, g] of this.boxes) g.classList.toggle('active', active.has(id));

    // The transition just taken: from a state active before to one active now, on this event
    // (or an eventless one it enabled).
    const taken = (match: (name: string) => boolean) =>
      this.edges.filter(({ edge }) => before.has(edge.from) && active.has(edge.to) && !active.has(edge.from) && edge.events.some(match));
    let fired: typeof this.edges = [];
    let firedName: string | null = null;
    if (eventType && before.size > 0) {
      fired = taken((name) => firedBy(name, eventType));
      firedName = fired.length ? (fired[0]?.edge.events.find((n) => firedBy(n, eventType)) ?? null) : null;
      if (!fired.length) {
        fired = taken((name) => name === 'always');
        if (fired.length) firedName = 'always';
      }
    }
    for (const entry of this.edges) {
      const on = fired.includes(entry);
      entry.path.classList.toggle('fired', on);
      entry.label.classList.toggle('fired', on);
      entry.path.setAttribute('marker-end', `url(#${on ? `${this.marker}-fired` : this.marker})`);
      entry.text.data = edgeLabel(entry.edge.events, on && firedName ? firedName : undefined);
    }
    for (const a of this.anyItems) {
      a.item.classList.toggle('fired', Boolean(eventType) && a.events.some((n) => eventType !== null && firedBy(n, eventType)) && active.has(a.to) && !before.has(a.to));
    }

    const leaf = [...active].filter((id) => ![...active].some((other) => other.startsWith(`${id}.`)));
    this.caption.textContent = value === null || value === undefined ? 'not running' : leaf.map((id) => id.slice(rootId.length + 1)).join(', ') + (eventType ? ` ← ${firedName && firedName !== 'always' ? firedName : eventType}` : '');
    this.element.dataset.active = [...active].join(' ');
    this.element.dataset.fired = fired.map((f) => `${f.edge.from}->${f.edge.to}`).join(' ');

    // What the active states wait for: nothing once the machine is done or in a final state.
    const final = done || this.layout.boxes.some((b) => b.final && active.has(b.id));
    const waits = final
      ? []
      : [...new Set(this.chart.transitions.filter((t) => active.has(t.from) && t.event !== 'always').map((t) => t.event))].sort();
    this.waits.replaceChildren(
      document.createTextNode(value === null || value === undefined ? '' : final ? 'Final state: waits for nothing.' : waits.length ? 'Waits for: ' : ''),
      ...waits.map((name) => el('code', { text: name })),
    );
  }

  private draw(): SVGSVGElement {
    const { width, height } = this.layout;
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'sc-svg', role: 'img' });
    const marker = this.marker;
    const defs = svg('defs', {});
    for (const [id, cls] of [[marker, 'sc-arrowhead'], [`${marker}-fired`, 'sc-arrowhead fired']] as const) {
      const m = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
      m.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }));
      defs.append(m);
    }
    root.append(defs);
    const boxes = svg('g', { class: 'sc-boxes' });
    for (const b of this.layout.boxes) {
      const g = svg('g', { class: `sc-box${b.compound ? ' compound' : ''}${b.final ? ' final' : ''}${b.parallel ? ' parallel' : ''}`, 'data-state-id': b.id });
      g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8 }));
      if (b.final) g.append(svg('rect', { x: b.x + 3, y: b.y + 3, width: b.w - 6, height: b.h - 6, rx: 6, class: 'inner' }));
      const shift = b.initial && !b.compound ? INITIAL_MARK / 2 : 0;
      const text = svg('text', { x: b.x + b.w / 2 + shift, y: b.compound ? b.y + 17 : b.y + b.h / 2 + 4.5, 'text-anchor': 'middle', class: 'sc-name' });
      text.textContent = b.label;
      g.append(text);
      if (b.initial) g.append(svg('circle', { cx: b.x + 10, cy: b.compound ? b.y + 12 : b.y + b.h / 2, r: 3.5, class: 'sc-initial' }));
      if (b.description) {
        const title = svg('title', {});
        title.textContent = `${b.label}: ${b.description}`;
        g.append(title);
      }
      boxes.append(g);
      this.boxes.set(b.id, g);
    }
    const paths = svg('g', { class: 'sc-edges' });
    const labels = svg('g', { class: 'sc-labels' });
    for (const edge of this.layout.edges) {
      const path = svg('path', { d: edge.path, class: `sc-edge ${edge.route}`, 'data-edge': `${edge.from}->${edge.to}`, 'marker-end': `url(#${marker})` });
      const label = svg('text', { x: edge.label.x, y: edge.label.y, 'text-anchor': edge.label.anchor, class: 'sc-elabel', 'data-edge': `${edge.from}->${edge.to}` });
      const text = document.createTextNode(edgeLabel(edge.events));
      label.append(text);
      const title = svg('title', {});
      title.textContent = edge.events.join(', ');
      label.append(title);
      paths.append(path);
      labels.append(label);
      this.edges.push({ edge, path, label, text });
    }
    root.append(boxes, paths, labels);
    return root;
  }
}
