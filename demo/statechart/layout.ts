/**
 * Lays out a statechart (from `statechartOf`) for drawing: pure geometry, no DOM, so it is
 * tested in Node. Top to bottom: the children of each compound state are ranked by their
 * transitions (longest path from the initial state, back edges ignored) and each rank is a row.
 *
 * Arrows: a transition to the next row that crosses no other box is a curve straight down; any
 * other forward one leaves on the left, and one going back up (or sideways) on the right: along
 * a lane of its own with its label on it, then down or up a channel beyond the labels, into
 * its target from the side. Transitions of
 * the machine itself ("from any state") are not drawn but listed (`anyState`).
 */
import type { Statechart, StatechartNode } from 'headless-calling/inspect';
import { routeEdges } from './routes';

export { edgeLabel } from './routes';

/** Does an edge's event name match the event that fired (`after X` and `always` included)? */
export function firedBy(edgeEvent: string, eventType: string): boolean {
  if (edgeEvent === eventType) return true;
  if (edgeEvent.startsWith('after ')) return eventType.startsWith('xstate.after.') && eventType.includes(`.${edgeEvent.slice(6)}.`);
  return false;
}


/** A state's box, in absolute coordinates. */
export interface Box {
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly compound: boolean;
  /** A compound state whose children are parallel regions. */
  readonly parallel: boolean;
  readonly final: boolean;
  /** The state its parent enters first. */
  readonly initial: boolean;
  readonly description?: string;
}

/** One arrow: every transition between the same two states. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  /** Event names, in definition order, deduplicated (`after ringTimeout`, `always`, ...). */
  readonly events: readonly string[];
  /** SVG path data. */
  readonly path: string;
  readonly route: 'down' | 'left' | 'right';
  /** Where the label goes (`anchor` as SVG's text-anchor). */
  readonly label: { readonly x: number; readonly y: number; readonly anchor: 'start' | 'middle' | 'end' };
}

/** A transition the machine takes from any state. */
export interface AnyStateEdge {
  readonly to: string;
  readonly events: readonly string[];
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly Box[];
  readonly edges: readonly Edge[];
  readonly anyState: readonly AnyStateEdge[];
}

/** Sizes in px. Text is measured by `measure` (the page passes a canvas measure; the default estimates). */
export interface LayoutOptions {
  readonly measure?: (text: string, size: number) => number;
  /** State label size (default 13). */
  readonly stateFont?: number;
  /** Edge label size (default 12). */
  readonly edgeFont?: number;
}

const LEAF_H = 32;
/** Room for the dot that marks an initial state. */
export const INITIAL_MARK = 12;
const HEADER = 24;
const PAD = 10;
const ROW_GAP = 46;
/** A row of states wider than this wraps. */
const MAX_ROW_W = 420;
const COL_GAP = 26;
const MARGIN = 8;

interface Sized {
  readonly node: StatechartNode;
  readonly w: number;
  readonly h: number;
  readonly rows: readonly (readonly Sized[])[];
  readonly isRoot: boolean;
}

const defaultMeasure = (text: string, size: number) => text.length * size * 0.58;


/** Lays out `chart`. */
export function layoutStatechart(chart: Statechart, options: LayoutOptions = {}): Layout {
  const measure = options.measure ?? defaultMeasure;
  const stateFont = options.stateFont ?? 13;
  const edgeFont = options.edgeFont ?? 12;
  const rootId = chart.root.id;
  const inner = chart.transitions.filter((t) => t.from !== rootId && t.from !== t.to);

  const initials = new Set<string>();
  const collect = (n: StatechartNode) => {
    if (n.initial) initials.add(n.initial);
    n.children.forEach(collect);
  };
  collect(chart.root);
  const isInitial = (n: StatechartNode) => initials.has(n.id);

  const within = (ancestor: StatechartNode, id: string) => id === ancestor.id || id.startsWith(`${ancestor.id}.`);
  const childOf = (parent: StatechartNode, id: string) => parent.children.find((c) => within(c, id));

  /** Ranks the children of `parent` by longest path from the initial one, ignoring back edges. */
  const ranks = (parent: StatechartNode): Map<string, number> => {
    const kids = parent.children;
    const rank = new Map<string, number>();
    if (!parent.initial) {
      for (const k of kids) rank.set(k.id, 0); // parallel regions side by side
      return rank;
    }
    const out = new Map<string, string[]>(kids.map((k) => [k.id, []]));
    for (const t of inner) {
      const a = childOf(parent, t.from);
      const b = childOf(parent, t.to);
      if (a && b && a !== b && !out.get(a.id)?.includes(b.id)) out.get(a.id)?.push(b.id);
    }
    // Depth-first from the initial child: an edge to a node on the stack is a back edge.
    const forward = new Map<string, string[]>(kids.map((k) => [k.id, []]));
    const state = new Map<string, 'open' | 'done'>();
    const visit = (id: string) => {
      state.set(id, 'open');
      for (const next of out.get(id) ?? []) {
        if (state.get(next) === 'open') continue;
        forward.get(id)?.push(next);
        if (!state.has(next)) visit(next);
      }
      state.set(id, 'done');
    };
    const initial = kids.find((k) => k.id === parent.initial);
    for (const k of initial ? [initial, ...kids] : kids) if (!state.has(k.id)) visit(k.id);
    const order = [...kids.map((k) => k.id)];
    // Longest path over the acyclic forward edges (kids are few: relax until stable).
    for (const id of order) rank.set(id, 0);
    for (let changed = true, guard = 0; changed && guard < 100; guard++) {
      changed = false;
      for (const [from, tos] of forward) {
        for (const to of tos) {
          const r = (rank.get(from) ?? 0) + 1;
          if (r > (rank.get(to) ?? 0)) {
            rank.set(to, r);
            changed = true;
          }
        }
      }
    }
    return rank;
  };

  const size = (node: StatechartNode, isRoot: boolean): Sized => {
    const label = node.path.at(-1) ?? node.id;
    if (node.children.length === 0) {
      const marker = isInitial(node) ? INITIAL_MARK : 0;
      return { node, w: Math.max(64, Math.ceil(measure(label, stateFont)) + 24 + marker), h: LEAF_H, rows: [], isRoot };
    }
    const kids = node.children.map((c) => size(c, false));
    const rank = ranks(node);
    const rows: Sized[][] = [];
    for (const k of kids) (rows[rank.get(k.node.id) ?? 0] ??= []).push(k);
    // A rank too wide for a narrow drawer continues on the next line.
    const dense = rows
      .filter((r) => r && r.length > 0)
      .flatMap((row) => {
        const lines: Sized[][] = [[]];
        let width = 0;
        for (const k of row) {
          const line = lines.at(-1) as Sized[];
          if (line.length > 0 && width + COL_GAP + k.w > MAX_ROW_W) {
            lines.push([k]);
            width = k.w;
          } else {
            line.push(k);
            width += (line.length > 1 ? COL_GAP : 0) + k.w;
          }
        }
        return lines;
      });
    const rowW = (r: readonly Sized[]) => r.reduce((s, k) => s + k.w, 0) + COL_GAP * (r.length - 1);
    const rowH = (r: readonly Sized[]) => Math.max(...r.map((k) => k.h));
    const contentW = Math.max(...dense.map(rowW));
    const contentH = dense.reduce((s, r) => s + rowH(r), 0) + ROW_GAP * (dense.length - 1);
    const head = isRoot ? 0 : HEADER;
    const pad = isRoot ? 0 : PAD;
    const w = Math.max(contentW, isRoot ? 0 : Math.ceil(measure(label, stateFont)) + 16) + pad * 2;
    return { node, w, h: contentH + head + pad * 2, rows: dense, isRoot };
  };

  const boxes: Box[] = [];
  const place = (s: Sized, x: number, y: number, initial: boolean, parallelParent: boolean) => {
    const { node } = s;
    if (!s.isRoot) {
      boxes.push({
        id: node.id,
        label: node.path.at(-1) ?? node.id,
        x,
        y,
        w: s.w,
        h: s.h,
        compound: node.children.length > 0,
        parallel: node.children.length > 1 && !node.initial,
        final: node.final,
        initial: initial && !parallelParent,
        ...(node.description ? { description: node.description } : {}),
      });
    }
    const head = s.isRoot ? 0 : HEADER;
    const pad = s.isRoot ? 0 : PAD;
    let rowY = y + head + pad;
    for (const row of s.rows) {
      const rowW = row.reduce((sum, k) => sum + k.w, 0) + COL_GAP * (row.length - 1);
      const rowH = Math.max(...row.map((k) => k.h));
      let cx = x + (s.w - rowW) / 2;
      for (const k of row) {
        place(k, cx, rowY + (rowH - k.h) / 2, k.node.id === node.initial, node.children.length > 1 && !node.initial);
        cx += k.w + COL_GAP;
      }
      rowY += rowH + ROW_GAP;
    }
  };
  const root = size(chart.root, true);
  place(root, 0, 0, false, false);

  // Arrows, one per pair of states.
  const byPair = new Map<string, { from: string; to: string; events: string[] }>();
  for (const t of inner) {
    const key = `${t.from}->${t.to}`;
    const pair = byPair.get(key) ?? { from: t.from, to: t.to, events: [] };
    if (!pair.events.includes(t.event)) pair.events.push(t.event);
    byPair.set(key, pair);
  }
  const routed = routeEdges({ boxes, pairs: [...byPair.values()], width: root.w, measure, edgeFont });

  const anyState: AnyStateEdge[] = [];
  for (const t of chart.transitions.filter((x) => x.from === rootId)) {
    const entry = anyState.find((a) => a.to === t.to);
    if (entry) {
      if (!entry.events.includes(t.event)) (entry.events as string[]).push(t.event);
    } else anyState.push({ to: t.to, events: [t.event] });
  }
  return {
    width: Math.ceil(routed.left + root.w + routed.right),
    height: Math.ceil(Math.max(root.h + MARGIN * 2, routed.bottom + MARGIN)),
    boxes: routed.boxes,
    edges: routed.edges,
    anyState,
  };
}
