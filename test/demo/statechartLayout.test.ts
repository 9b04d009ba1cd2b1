/**
 * The demo's statechart drawing, as geometry (demo/statechart/layout.ts is pure): one labelled
 * arrow per pair of states with a transition, boxes that nest and never overlap, labels that do
 * not collide, and the event matching that highlights the transition just taken.
 */
import { describe, expect, it } from 'vitest';
import { type Box, type Layout, edgeLabel, firedBy, layoutStatechart } from '../../demo/statechart/layout';
import { callMachine, inviteeMachine, lineMachine } from '../../src/index';
import { statechartOf } from '../../src/statechart';

const measure = (text: string, size: number) => text.length * size * 0.58;
const machines = { line: lineMachine, call: callMachine, invitee: inviteeMachine };

const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (a: Box, b: Box) => a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
const labelBox = (layout: Layout, i: number) => {
  const e = layout.edges[i]!;
  const w = measure(edgeLabel(e.events), 12);
  const x = e.label.anchor === 'end' ? e.label.x - w : e.label.anchor === 'middle' ? e.label.x - w / 2 : e.label.x;
  return { x, y: e.label.y - 12, w, h: 12 };
};

describe('statechart layout (demo drawer)', () => {
  for (const [name, machine] of Object.entries(machines)) {
    const chart = statechartOf(machine);
    const layout = layoutStatechart(chart, { measure });

    it(`${name}: one arrow per pair of states with a transition, labelled with its events in order`, () => {
      const pairs = new Map<string, string[]>();
      for (const t of chart.transitions) {
        if (t.from === chart.root.id || t.from === t.to) continue;
        const events = pairs.get(`${t.from}->${t.to}`) ?? [];
        if (!events.includes(t.event)) events.push(t.event);
        pairs.set(`${t.from}->${t.to}`, events);
      }
      expect(new Map(layout.edges.map((e) => [`${e.from}->${e.to}`, e.events]))).toEqual(pairs);
      expect(layout.edges.every((e) => /^M[\d.]+,[\d.]+ /.test(e.path))).toBe(true);
    });

    it(`${name}: every state has a box inside its parent's; boxes of one level never overlap; all within the drawing`, () => {
      const ids = (n: typeof chart.root): string[] => n.children.flatMap((c) => [c.id, ...ids(c)]);
      expect(layout.boxes.map((b) => b.id).sort()).toEqual(ids(chart.root).sort());
      for (const b of layout.boxes) {
        const parent = layout.boxes.find((p) => b.id.startsWith(`${p.id}.`) && b.id.lastIndexOf('.') === p.id.length);
        if (parent) expect(inside(b, parent), `${b.id} in ${parent.id}`).toBe(true);
        for (const o of layout.boxes) {
          if (o === b || o.id.startsWith(`${b.id}.`) || b.id.startsWith(`${o.id}.`)) continue;
          expect(overlap(b, o), `${b.id} / ${o.id}`).toBe(false);
        }
        expect(b.x >= 0 && b.y >= 0 && b.x + b.w <= layout.width && b.y + b.h <= layout.height, b.id).toBe(true);
      }
    });

    it(`${name}: no two arrow labels overlap, and each is within the drawing`, () => {
      const boxes = layout.edges.map((_, i) => labelBox(layout, i));
      for (const [i, a] of boxes.entries()) {
        expect(a.x >= 0 && a.x + a.w <= layout.width + 1 && a.y + a.h <= layout.height, `label ${i}`).toBe(true);
        for (const [j, b] of boxes.entries()) if (j > i) expect(overlap(a, b), `${edgeLabel(layout.edges[i]!.events)} / ${edgeLabel(layout.edges[j]!.events)}`).toBe(false);
      }
    });
  }

  it('the marks: initial and final states, parallel regions none; "from any state" transitions are listed, not drawn', () => {
    const call = layoutStatechart(statechartOf(callMachine), { measure });
    const flags = (l: Layout, key: 'initial' | 'final') => l.boxes.filter((b) => b[key]).map((b) => b.id).sort();
    expect(flags(call, 'initial')).toEqual(['call.inCall.together', 'call.starting']);
    expect(flags(call, 'final')).toEqual(['call.ended']);
    expect(call.anyState).toEqual([
      { to: 'call.ending', events: ['member.left', 'im.hungUp', 'room.enterFailed', 'room.failed', 'call.hangup', 'call.terminate'] },
    ]);
    const invitee = layoutStatechart(statechartOf(inviteeMachine), { measure });
    // Its outcomes are terminal, not final (a final state's done event names the invitee: see inviteeMachine.ts).
    expect(flags(invitee, 'final')).toEqual([]);
    expect(layoutStatechart(statechartOf(lineMachine), { measure }).boxes.some((b) => b.parallel)).toBe(false);
  });

  it('labels: the first event and how many more, or the one that fired; timers and events match what XState sends', () => {
    expect(edgeLabel(['room.exited', 'after exitTimeout', 'always'])).toBe('room.exited +2');
    expect(edgeLabel(['room.exited', 'after exitTimeout', 'always'], 'after exitTimeout')).toBe('after exitTimeout +2');
    expect(edgeLabel(['call.accept'])).toBe('call.accept');
    expect(firedBy('call.accept', 'call.accept')).toBe(true);
    expect(firedBy('after ringTimeout', 'xstate.after.ringTimeout.call.ringing')).toBe(true);
    expect(firedBy('after ringTimeout', 'xstate.after.exitTimeout.call.ending')).toBe(false);
    expect(firedBy('call.accept', 'call.reject')).toBe(false);
  });
});
