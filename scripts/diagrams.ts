/**
 * Renders the machines as Mermaid state diagrams from their definitions, and keeps the
 * README's copy current: `npm run diagrams` writes it; test/diagrams.test.ts fails when the
 * README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { callMachine } from '../machines/callMachine';
import { inviteeMachine } from '../machines/inviteeMachine';
import { lineMachine } from '../machines/lineMachine';
import { memberMachine } from '../machines/memberMachine';
import { switchMachine } from '../machines/switchMachine';
import { type StatechartNode, statechartOf } from '../src/statechart';

const START = '<!-- diagrams:start -->';
const END = '<!-- diagrams:end -->';
export const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** Mermaid ids cannot contain dots: `call.inCall.alone` -> `inCall_alone` (root-relative). */
const mermaidId = (machineId: string, id: string) => (id === machineId ? 'any' : id.slice(machineId.length + 1).replace(/\./g, '_'));

const note = (text: string) => text.replace(/[:;`]/g, (c) => (c === '`' ? '' : ','));

function renderNode(machineId: string, node: StatechartNode, indent: string, lines: string[]): void {
  if (node.initial) lines.push(`${indent}[*] --> ${mermaidId(machineId, node.initial)}`);
  for (const child of node.children) {
    const id = mermaidId(machineId, child.id);
    if (child.children.length > 0) {
      lines.push(`${indent}state ${id} {`);
      renderNode(machineId, child, `${indent}  `, lines);
      lines.push(`${indent}}`);
    } else if (child.final) {
      lines.push(`${indent}${id} --> [*]`);
    }
    if (child.description) lines.push(`${indent}note right of ${id} : ${note(child.description)}`);
  }
}

/** One machine as a Mermaid `stateDiagram-v2`. */
export function renderMachine(machine: AnyStateMachine): string {
  const { root, transitions } = statechartOf(machine);
  const lines = ['stateDiagram-v2'];
  if (transitions.some((t) => t.from === root.id)) lines.push('  state "any state" as any');
  renderNode(root.id, root, '  ', lines);
  // One arrow per (from, to), listing every event that takes it.
  const merged = new Map<string, string[]>();
  for (const t of transitions) {
    const key = `${mermaidId(root.id, t.from)} --> ${mermaidId(root.id, t.to)}`;
    merged.set(key, [...(merged.get(key) ?? []), `${t.event}${t.guard ? ` [${t.guard}]` : ''}`]);
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
    section('memberMachine', memberMachine),
    section('switchMachine', switchMachine),
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
