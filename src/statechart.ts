/**
 * A plain-data view of a machine's structure: its state nodes and the transitions with a
 * target. Used to render the machines (Mermaid diagrams in the README, the live statechart
 * in the demo) with no renderer of XState's own and no network.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface StatechartNode {
  /** XState's node id, e.g. `call.inCall.alone`. */
  readonly id: string;
  /** Path from the root, e.g. `['inCall', 'alone']`. */
  readonly path: readonly string[];
  readonly description?: string;
  readonly final: boolean;
  /** The id of the child entered first, for compound nodes. */
  readonly initial?: string;
  readonly children: readonly StatechartNode[];
}

export interface StatechartTransition {
  /** Source node id; the machine's own id for transitions allowed from any state. */
  readonly from: string;
  readonly to: string;
  /** The event, `after <delay>` for timers, `always` for eventless transitions. */
  readonly event: string;
  readonly guard?: string;
}

export interface Statechart {
  readonly root: StatechartNode;
  readonly transitions: readonly StatechartTransition[];
}

function guardName(guard: unknown): string | undefined {
  if (!guard) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard) return String(guard.type);
  return 'guard';
}

function transitionsOf(node: AnyStateNode): StatechartTransition[] {
  const delays = new Map(node.after.map((a) => [a.eventType, `after ${String(a.delay)}`]));
  const out: StatechartTransition[] = [];
  const add = (eventType: string, t: { target?: readonly AnyStateNode[] | undefined; guard?: unknown }) => {
    for (const target of t.target ?? []) {
      const guard = guardName(t.guard);
      out.push({
        from: node.id,
        to: target.id,
        event: delays.get(eventType) ?? (eventType === '' ? 'always' : eventType),
        ...(guard ? { guard } : {}),
      });
    }
  };
  for (const [eventType, list] of node.transitions) for (const t of list) add(eventType, t);
  for (const t of node.always ?? []) add('', t);
  return out;
}

function nodeOf(node: AnyStateNode, transitions: StatechartTransition[]): StatechartNode {
  transitions.push(...transitionsOf(node));
  const initial = node.initial?.target[0]?.id;
  return {
    id: node.id,
    path: node.path,
    ...(node.description ? { description: node.description } : {}),
    final: node.type === 'final',
    ...(initial ? { initial } : {}),
    children: Object.values(node.states).map((child) => nodeOf(child, transitions)),
  };
}

/** The states and targeted transitions of `machine`, read from its definition. */
export function statechartOf(machine: AnyStateMachine): Statechart {
  const transitions: StatechartTransition[] = [];
  const root = nodeOf(machine.root, transitions);
  return { root, transitions };
}

/** Node ids active in a snapshot value (`{ online: 'busy' }` -> `line.online`, `line.online.busy`). */
export function activeIds(machineId: string, value: unknown): string[] {
  if (typeof value === 'string') return [`${machineId}.${value}`];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    `${machineId}.${key}`,
    ...activeIds(`${machineId}.${key}`, child),
  ]);
}
