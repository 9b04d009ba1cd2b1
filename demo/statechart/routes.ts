/**
 * The arrows of a laid-out statechart (see layout.ts): straight down to the next row when
 * nothing is in the way, else out to the side nearer the source, along a lane with the label on
 * it, down or up a channel beyond the labels, and into the target from the side.
 */
import type { Box, Edge } from './layout';

/** The label an edge shows: its first event, and how many more. */
export function edgeLabel(events: readonly string[], shown?: string): string {
  const first = shown ?? events[0] ?? '';
  return events.length > 1 ? `${first} +${events.length - 1}` : first;
}

const CHANNEL = 10;
/** Between the boxes and the labels of side edges. */
const LABEL_GAP = 12;
const MARGIN = 8;

/** What {@link routeEdges} needs. */
export interface RouteInput {
  /** The boxes, laid out from (0, 0). */
  readonly boxes: readonly Box[];
  /** One entry per pair of states with transitions between them. */
  readonly pairs: readonly { readonly from: string; readonly to: string; readonly events: string[] }[];
  /** Width of the boxes' area. */
  readonly width: number;
  readonly measure: (text: string, size: number) => number;
  readonly edgeFont: number;
}

/** The boxes moved right to make room for the left side's labels, the arrows, and the space they take. */
export interface Routed {
  readonly boxes: readonly Box[];
  readonly edges: readonly Edge[];
  readonly left: number;
  readonly right: number;
  /** The lowest label's baseline. */
  readonly bottom: number;
}

/** Routes every pair's arrow. */
export function routeEdges({ boxes, pairs, width, measure, edgeFont }: RouteInput): Routed {
  const boxOf = new Map(boxes.map((b) => [b.id, b]));
  const isAncestor = (a: Box, id: string) => id.startsWith(`${a.id}.`);
  const crosses = (x1: number, y1: number, x2: number, y2: number, except: readonly Box[]) =>
    boxes.some((b) => {
      if (except.some((e) => e === b || isAncestor(b, e.id))) return false;
      // Sample the segment: boxes are big compared with the step.
      for (let i = 1; i < 20; i++) {
        const px = x1 + ((x2 - x1) * i) / 20;
        const py = y1 + ((y2 - y1) * i) / 20;
        if (px > b.x && px < b.x + b.w && py > b.y && py < b.y + b.h) return true;
      }
      return false;
    });

  const down: Array<{ from: Box; to: Box; events: string[] }> = [];
  const left: typeof down = [];
  const right: typeof down = [];
  for (const pair of pairs) {
    const from = boxOf.get(pair.from);
    const to = boxOf.get(pair.to);
    if (!from || !to) continue;
    const entry = { from, to, events: pair.events };
    const forward = to.y >= from.y + from.h;
    if (forward && !crosses(from.x + from.w / 2, from.y + from.h, to.x + to.w / 2, to.y, [from, to])) {
      down.push(entry);
      continue;
    }
    // Off to the side nearer the source (so its lane crosses no sibling): forward edges from the
    // middle go left, back edges from the middle go right.
    const offset = from.x + from.w / 2 - width / 2;
    const toLeft = Math.abs(offset) < 1 ? forward : offset < 0;
    (toLeft ? left : right).push(entry);
  }

  const labelW = (events: readonly string[]) => Math.ceil(measure(edgeLabel(events), edgeFont)) + 6;
  const labelZone = (list: readonly { events: string[] }[]) => Math.max(0, ...list.map((e) => labelW(e.events)));
  const contentW = width;
  const margin = (list: typeof down) => (list.length ? LABEL_GAP + labelZone(list) + CHANNEL * (list.length + 1) : MARGIN);
  const leftMargin = margin(left);
  const rightMargin = margin(right);
  const dx = leftMargin;
  const dy = MARGIN;
  const shifted = boxes.map((b) => ({ ...b, x: b.x + dx, y: b.y + dy }));
  const at = new Map(shifted.map((b) => [b.id, b]));
  const edges: Edge[] = [];

  // Straight down: spread the arrows leaving (and reaching) one box.
  const outs = new Map<string, number>();
  const ins = new Map<string, number>();
  const count = (m: Map<string, number>, id: string) => down.filter((e) => (m === outs ? e.from.id : e.to.id) === id).length;
  for (const e of down) {
    const a = at.get(e.from.id) as Box;
    const b = at.get(e.to.id) as Box;
    const i = outs.get(a.id) ?? 0;
    const j = ins.get(b.id) ?? 0;
    outs.set(a.id, i + 1);
    ins.set(b.id, j + 1);
    const sx = a.x + (a.w * (i + 1)) / (count(outs, e.from.id) + 1);
    const tx = b.x + (b.w * (j + 1)) / (count(ins, e.to.id) + 1);
    const sy = a.y + a.h;
    const ty = b.y;
    const my = (sy + ty) / 2;
    edges.push({
      from: a.id,
      to: b.id,
      events: e.events,
      route: 'down',
      path: `M${r(sx)},${r(sy)} C${r(sx)},${r(my)} ${r(tx)},${r(my)} ${r(tx)},${r(ty)}`,
      // Beside the curve, on the side it bends to.
      label: tx < sx - 2 ? { x: r((sx + tx) / 2 - 4), y: r(my + 4), anchor: 'end' } : tx > sx + 2 ? { x: r((sx + tx) / 2 + 4), y: r(my + 4), anchor: 'start' } : { x: r(sx + 6), y: r(my + 4), anchor: 'start' },
    });
  }
  // Labels of curves between the same rows must not overlap: shift later ones down.
  const placed: Array<{ x1: number; x2: number; y: number }> = [];
  const leaves = shifted.filter((b) => !b.compound);
  const onBox = (x1: number, x2: number, y: number) => leaves.some((b) => b.x < x2 && x1 < b.x + b.w && b.y < y + 3 && y - edgeFont < b.y + b.h);
  for (const [i, e] of edges.entries()) {
    const w = measure(edgeLabel(e.events), edgeFont);
    const x1 = e.label.anchor === 'end' ? e.label.x - w : e.label.anchor === 'middle' ? e.label.x - w / 2 : e.label.x;
    let y = e.label.y;
    for (let tries = 0; tries < 12 && (onBox(x1, x1 + w, y) || placed.some((p) => p.x1 < x1 + w + 4 && x1 < p.x2 + 4 && Math.abs(p.y - y) < edgeFont + 1)); tries++) y += edgeFont + 1;
    placed.push({ x1, x2: x1 + w, y });
    if (y !== e.label.y) edges[i] = { ...e, label: { ...e.label, y: r(y) } };
  }

  // Side edges: each leaves its source along its own lane (a horizontal line with its label on
  // top, lanes at least one label apart), runs down or up a channel beyond the labels, and
  // enters its target from the side. Shorter spans take the inner channels.
  const side = (list: typeof down, where: 'left' | 'right') => {
    const lanes = [...list].sort((p, q) => p.from.y - q.from.y || p.to.y - q.to.y);
    const span = (e: (typeof list)[number]) => Math.abs(e.to.y - e.from.y);
    const byReach = [...list].sort((p, q) => span(p) - span(q));
    const zone = where === 'left' ? dx - LABEL_GAP : dx + contentW + LABEL_GAP;
    const entering = new Map<string, number>();
    const incoming = (id: string) => list.filter((e) => e.to.id === id).length;
    let lastY = -Infinity;
    for (const e of lanes) {
      const a = at.get(e.from.id) as Box;
      const b = at.get(e.to.id) as Box;
      const k = byReach.indexOf(e);
      const cx = where === 'left' ? zone - labelZone(list) - CHANNEL * (k + 1) : zone + labelZone(list) + CHANNEL * (k + 1);
      const laneY = Math.max(a.y + Math.min(a.h / 2, 16), lastY + edgeFont + 5);
      lastY = laneY;
      const exitY = Math.min(laneY, a.y + a.h - 4);
      const i = entering.get(b.id) ?? 0;
      entering.set(b.id, i + 1);
      const n = incoming(b.id);
      const entryY = b.y + Math.min(b.h / 2, 16) + (i - (n - 1) / 2) * 6;
      const sx = where === 'left' ? a.x : a.x + a.w;
      const tx = where === 'left' ? b.x : b.x + b.w;
      const stub = where === 'left' ? -6 : 6;
      edges.push({
        from: a.id,
        to: b.id,
        events: e.events,
        route: where,
        path: `M${r(sx)},${r(exitY)} L${r(sx + stub)},${r(laneY)} H${r(cx)} V${r(entryY)} H${r(tx)}`,
        label: { x: r(zone), y: r(laneY - 3), anchor: where === 'left' ? 'end' : 'start' },
      });
    }
  };
  side(left, 'left');
  side(right, 'right');

  return { boxes: shifted, edges, left: leftMargin, right: rightMargin, bottom: Math.max(0, ...edges.map((e) => e.label.y + 8)) };
}

const r = (n: number) => Math.round(n * 10) / 10;
