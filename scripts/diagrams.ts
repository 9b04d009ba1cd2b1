/**
 * Renders the machines as Mermaid state diagrams from their definitions, and keeps the
 * README's copy current: `npm run diagrams` writes it; test/diagrams.test.ts fails when the
 * README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { callMachine } from '../machines/callMachine';
import { inviteeMachine } from '../machines/inviteeMachine';
import { lineMachine } from '../machines/lineMachine';

const START = '<!-- diagrams:start -->';
const END = '<!-- diagrams:end -->';
export const README = fileURLToPath(new URL('../README.md', import.meta.url));

const id = (node: AnyStateNode) => node.path.join('_') || 'root';

function guardName(guard: unknown): string {
  if (!guard) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  return 'guard';
}

function eventLabel(eventType: string, delays: Map<string, string>): string {
  return delays.get(eventType) ?? (eventType === '' ? 'always' : eventType);
}

interface Edge {
  from: string;
  to: string;
  label: string;
}

/** Every transition with a target, from `from` (or from "any state" for root transitions). */
function edgesOf(node: AnyStateNode, from: string): Edge[] {
  const delays = new Map(node.after.map((a) => [a.eventType, `after ${String(a.delay)}`]));
  const edges: Edge[] = [];
  const add = (eventType: string, t: { target?: readonly AnyStateNode[] | undefined; guard?: unknown }) => {
    for (const target of t.target ?? []) {
      const guard = guardName(t.guard);
      edges.push({ from, to: id(target), label: `${eventLabel(eventType, delays)}${guard ? ` [${guard}]` : ''}` });
    }
  };
  for (const [eventType, list] of node.transitions) for (const t of list) add(eventType, t);
  for (const t of node.always ?? []) add('', t);
  return edges;
}

function renderNode(node: AnyStateNode, indent: string, lines: string[], edges: Edge[]): void {
  const children = Object.values(node.states);
  if (node.initial?.target[0]) lines.push(`${indent}[*] --> ${id(node.initial.target[0])}`);
  for (const child of children) {
    if (Object.keys(child.states).length > 0) {
      lines.push(`${indent}state ${id(child)} {`);
      renderNode(child, `${indent}  `, lines, edges);
      lines.push(`${indent}}`);
    } else if (child.type === 'final') {
      lines.push(`${indent}${id(child)} --> [*]`);
    }
    if (child.description) lines.push(`${indent}note right of ${id(child)} : ${child.description.replace(/[:;`]/g, (c) => (c === '`' ? '' : ','))}`);
    edges.push(...edgesOf(child, id(child)));
  }
}

/** One machine as a Mermaid `stateDiagram-v2`. */
export function renderMachine(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const edges: Edge[] = edgesOf(machine.root, 'any');
  if (edges.length > 0) lines.push('  state "any state" as any');
  renderNode(machine.root, '  ', lines, edges);
  // One arrow per (from, to), listing every event that takes it.
  const merged = new Map<string, string[]>();
  for (const e of edges) {
    const key = `${e.from} --> ${e.to}`;
    merged.set(key, [...(merged.get(key) ?? []), e.label]);
  }
  for (const [key, labels] of merged) lines.push(`  ${key} : ${[...new Set(labels)].join('<br/>')}`);
  return lines.join('\n');
}

export function renderDiagrams(): string {
  const section = (title: string, machine: AnyStateMachine) => `### ${title}\n\n\`\`\`mermaid\n${renderMachine(machine)}\n\`\`\``;
  return [
    START,
    '<!-- generated from the machine definitions by `npm run diagrams`; do not edit by hand -->',
    section('lineMachine', lineMachine),
    section('callMachine', callMachine),
    section('inviteeMachine', inviteeMachine),
    END,
  ].join('\n\n');
}

/** The README with its diagrams section replaced by the current rendering. */
export function readmeWithDiagrams(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} section`);
  return readme.slice(0, start) + renderDiagrams() + readme.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(README, 'utf8');
  const next = readmeWithDiagrams(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('README.md diagrams are out of date: run `npm run diagrams`');
      process.exit(1);
    }
  } else {
    writeFileSync(README, next);
    console.log(next === current ? 'README.md diagrams already current' : 'README.md diagrams updated');
  }
}
