/**
 * Path coverage for the machines with `xstate/graph` (issue 6).
 *
 * - `definedTransitions(machine)` lists every transition that has a target, read from the
 *   machine definition itself (`machine.root` walked recursively: `node.transitions`, which
 *   holds `on`, `after` and invoke `onDone` transitions, plus `node.always` and `node.after`).
 *   A transition added later shows up here without anyone touching the test.
 * - `explore(machine, ...)` runs `getShortestPaths` from `xstate/graph` over the machine with
 *   an event catalogue (a function of the snapshot) and an abstracting `serializeState`, and
 *   records, for every step the traversal takes, which transitions XState actually selected.
 * - `replay(machine, input, events)` sends a path's events to a real actor and reports where it
 *   ended and which transitions it took.
 *
 * How a transition counts as taken (the same rule in the traversal and in the replay):
 * XState reports each microstep of a macrostep, with the transitions it selected, as a
 * `@xstate.microstep` inspection event (`_transitions`). An event transition is the first
 * microstep of the step; every eventless (`always`) transition that fires afterwards in the
 * same macrostep is its own microstep, so it is recorded exactly: selected, with its guard
 * true, from a state that was active at that moment. A delayed transition is taken when its
 * `xstate.after.<delay>.<stateNodeId>` event is sent. A state node counts as reached when it
 * is active in the snapshot after any microstep, or is the source of a taken transition
 * (that is how a transient state such as the call's `starting` shows: it is left by an
 * eventless transition in the same macrostep that entered it).
 *
 * Why a custom scope: `xstate/graph` runs the whole traversal under one mock actor scope,
 * and as is it cannot traverse these machines: (1) its `self` is `createEmptyActor()`, whose
 * snapshot has no `children`, so the call machine's `applyEffects` (which reads
 * `self.getSnapshot().children[...]`) throws a TypeError on the first event for an invitee;
 * (2) its one system outlives every step, so the line's second entry into `online.busy`
 * (invoke with `systemId: 'call'`) throws "Actor with system ID 'call' already exists".
 * The machine handed to `getShortestPaths` here is the real one with `transition` and
 * `getInitialSnapshot` running each step under an inert scope like the one of XState's own
 * pure `transition()`: `self.getSnapshot()` is the snapshot being transitioned, nothing is
 * executed, and each step has a fresh system.
 */
import {
  type AnyActorRef,
  type AnyActorScope,
  type AnyEventObject,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  createActor,
  createEmptyActor,
  type InspectionEvent,
  SimulatedClock,
  type StateValue,
} from 'xstate';
import { getShortestPaths } from 'xstate/graph';

export const ALWAYS = 'always';

/** Every state node below the root, depth first. */
export function stateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      out.push(child);
      walk(child);
    }
  };
  walk(machine.root);
  return out;
}

/** `source --event--> target` (state node ids; `always` for eventless transitions). */
export const transitionKey = (t: AnyTransitionDefinition): string =>
  `${t.source.id} --${t.eventType === '' ? ALWAYS : t.eventType}--> ${(t.target ?? []).map((n: AnyStateNode) => n.id).join(',')}`;

/** A readable name for a transition's guard (`-` when it has none). */
export function guardName(guard: unknown): string {
  if (guard === undefined) return '-';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const inner = (guard as { guards?: unknown[] }).guards;
    return inner ? `${guard.name}(${inner.map(guardName).join(', ')})` : guard.name || 'inline';
  }
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return String(guard);
}

export interface DefinedTransition {
  readonly key: string;
  readonly source: string;
  readonly eventType: string;
  readonly targets: readonly string[];
  /** Every definition (guarded branch) that shares this source, event and target. */
  readonly branches: AnyTransitionDefinition[];
}

/** Every transition definition of the machine, targeted or not, in definition order. */
export function allTransitionDefinitions(machine: AnyStateMachine): AnyTransitionDefinition[] {
  const seen = new Set<AnyTransitionDefinition>();
  for (const node of [machine.root, ...stateNodes(machine)]) {
    for (const list of node.transitions.values()) for (const t of list) seen.add(t);
    for (const t of node.always ?? []) seen.add(t);
    for (const t of node.after) seen.add(t);
  }
  return [...seen];
}

/** The transitions with a target, keyed by (source, event type, targets). */
export function definedTransitions(machine: AnyStateMachine): Map<string, DefinedTransition> {
  const out = new Map<string, DefinedTransition>();
  for (const t of allTransitionDefinitions(machine)) {
    if (!t.target?.length) continue;
    const key = transitionKey(t);
    const known = out.get(key);
    if (known) known.branches.push(t);
    else
      out.set(key, {
        key,
        source: t.source.id,
        eventType: t.eventType === '' ? ALWAYS : t.eventType,
        targets: t.target.map((n: AnyStateNode) => n.id),
        branches: [t],
      });
  }
  return out;
}

/** The `xstate.after.<delay>.<id>` events of the delayed transitions active in `snapshot`. */
export function timerEvents(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const types = new Set<string>();
  for (const node of snapshot._nodes) for (const t of node.after) types.add(t.eventType);
  return [...types].map((type) => ({ type }));
}

/** The `xstate.done.actor.<id>` events of the invoked actors that have an `onDone`. */
export function doneEvents(snapshot: AnyMachineSnapshot, output: unknown): AnyEventObject[] {
  return snapshot._nodes.flatMap((node) =>
    node.invoke.filter((i) => i.onDone).map((i) => ({ type: `xstate.done.actor.${i.id}`, actorId: i.id, output })),
  );
}

interface Recorded {
  readonly taken: AnyTransitionDefinition[];
  readonly nodes: Set<string>;
}

function record(): Recorded & { readonly listen: (ev: InspectionEvent, isSelf: (ref: unknown) => boolean) => void } {
  const taken: AnyTransitionDefinition[] = [];
  const nodes = new Set<string>();
  return {
    taken,
    nodes,
    listen(ev, isSelf) {
      if (ev.type !== '@xstate.microstep' || !isSelf(ev.actorRef)) return;
      for (const t of ev._transitions) {
        taken.push(t);
        // The source of a taken transition was active when it was taken.
        for (let n: AnyStateNode | undefined = t.source; n; n = n.parent) nodes.add(n.id);
      }
      for (const n of (ev.snapshot as AnyMachineSnapshot)._nodes) nodes.add(n.id);
    },
  };
}

/**
 * The actors a machine of ours finds by system ID (`im`, `room`, `line`, `call`), as inert
 * stand-ins where the traversal or the replay runs a machine on its own: each machine throws
 * `MissingActorError` when it has something to deliver and nobody to take it, so they must be
 * there. Events sent to them go nowhere (the catalogues send the replies themselves).
 */
const STAND_INS = ['im', 'room', 'line', 'call'] as const;

let standIns: Map<string, AnyActorRef> | null = null;

function withStandIns(system: AnyActorScope['system']): void {
  const own = system.get.bind(system);
  standIns ??= new Map<string, AnyActorRef>(STAND_INS.map((id) => [id, createEmptyActor()]));
  const found = standIns;
  system.get = ((id: string) => own(id) ?? found.get(id)) as typeof system.get;
}

/** An inert scope like XState's pure `transition()` one, recording the microsteps. */
function pureScope(current: AnyMachineSnapshot | undefined, rec?: ReturnType<typeof record>): AnyActorScope {
  const self = createEmptyActor();
  withStandIns(self.system);
  const snapshot = current ?? { status: 'active', output: undefined, error: undefined, children: {} };
  Object.defineProperty(self, 'getSnapshot', { value: () => snapshot });
  if (rec) self.system.inspect((ev: InspectionEvent) => rec.listen(ev, (ref) => ref === self));
  return {
    self,
    id: '',
    sessionId: self.sessionId,
    logger: () => undefined,
    defer: () => undefined,
    system: self.system,
    stopChild: () => undefined,
    emit: () => undefined,
    actionExecutor: () => undefined,
  } as unknown as AnyActorScope;
}

/** A generated path that reaches a state node or takes a transition, and where it ends. */
export interface Witness {
  readonly events: readonly AnyEventObject[];
  readonly value: StateValue;
  /** The abstract state it ends in (`serializeState`). */
  readonly state: string;
}

/** A generated path: the events from the initial state, and the snapshot it should end in. */
export interface GeneratedPath {
  readonly events: readonly AnyEventObject[];
  readonly state: AnyMachineSnapshot;
}

export interface Exploration {
  readonly label: string;
  readonly input: unknown;
  /** `getShortestPaths`: one shortest path to every abstract state. */
  readonly paths: readonly GeneratedPath[];
  /** How many steps (an abstract state and an event) the traversal took. */
  readonly steps: number;
  /** State node id -> the shortest generated path that reaches it. */
  readonly stateWitness: ReadonlyMap<string, Witness>;
  /** Transition key -> the shortest generated path whose last step takes it. */
  readonly transitionWitness: ReadonlyMap<string, Witness>;
  /** Every transition definition (any guarded branch, targeted or not) taken somewhere. */
  readonly takenDefinitions: ReadonlySet<AnyTransitionDefinition>;
}

export interface ExploreOptions {
  readonly label: string;
  readonly input: unknown;
  readonly events: (snapshot: AnyMachineSnapshot) => readonly AnyEventObject[];
  /** Must keep every part of the context a guard or the catalogue reads, and may drop the rest. */
  readonly serializeState: (snapshot: AnyMachineSnapshot) => string;
  readonly limit: number;
}

/**
 * Generates the shortest path to every abstract state with `getShortestPaths`, recording what
 * each step of the traversal took, then picks a shortest witness path for every state node
 * and every transition: the shortest path to the step's source state plus the step's event.
 *
 * The witnesses are picked as the traversal goes, not from a list of its steps kept to the end (up to 109,188 of them,
 * each with the transitions and state nodes it recorded: half of the file's time went to collecting that garbage).
 * `getShortestPaths` builds its adjacency map breadth first, so the first time a step reaches an abstract state is at
 * that state's distance from the initial one, which is the length of the shortest path it then returns (checked
 * below, for every witness): of the steps that reach a state node or take a transition, the first with the fewest
 * events is kept, as when the whole list was walked in the traversal's order. (Checked: every source's shortest
 * path is as long as its distance here.)
 */
export function explore(machine: AnyStateMachine, options: ExploreOptions): Exploration {
  // A snapshot is serialized when it is the source of each of its steps and when the traversal takes it from its
  // queue: once is enough.
  const serialized = new WeakMap<AnyMachineSnapshot, string>();
  const serialize = (s: AnyMachineSnapshot): string => {
    let key = serialized.get(s);
    if (key === undefined) serialized.set(s, (key = options.serializeState(s)));
    return key;
  };
  /** Abstract state -> its distance from the initial state, in steps (breadth first: the first one found). */
  const distance = new Map<string, number>();
  /** The best step for each state node and transition so far: its source, event, where it ends, and its length. */
  interface Best {
    readonly from: string;
    readonly event: AnyEventObject;
    readonly value: StateValue;
    readonly to: string;
    readonly length: number;
  }
  const bestNode = new Map<string, Best>();
  const bestTransition = new Map<string, Best>();
  const takenDefinitions = new Set<AnyTransitionDefinition>();
  const sources = new Set<string>();
  let steps = 0;
  const offer = (map: Map<string, Best>, key: string, step: Best) => {
    const known = map.get(key);
    if (!known || known.length > step.length) map.set(key, step);
  };
  const visit = (step: Best, rec: { taken: readonly AnyTransitionDefinition[]; nodes: ReadonlySet<string> }) => {
    for (const id of rec.nodes) offer(bestNode, id, step);
    for (const t of rec.taken) {
      takenDefinitions.add(t);
      if (t.target?.length) offer(bestTransition, transitionKey(t), step);
    }
  };
  const logic: AnyStateMachine = Object.create(machine, {
    transition: {
      value: (snapshot: AnyMachineSnapshot, event: AnyEventObject) => {
        const rec = record();
        const next = machine.transition(snapshot, event, pureScope(snapshot, rec));
        const from = serialize(snapshot);
        const to = serialize(next);
        const length = distance.get(from);
        if (length === undefined) throw new Error(`${options.label}: a step from ${from}, a state the traversal had not reached`);
        if (!distance.has(to)) distance.set(to, length + 1);
        steps++;
        sources.add(from);
        visit({ from, event, value: next.value, to, length: length + 1 }, rec);
        return next;
      },
    },
    getInitialSnapshot: {
      value: (_scope: unknown, input: unknown) => machine.getInitialSnapshot(pureScope(undefined), input),
    },
  });

  const init = record();
  const initScope = pureScope(undefined, init);
  const initial = machine.getInitialSnapshot(initScope, options.input) as AnyMachineSnapshot;
  for (const n of initial._nodes) init.nodes.add(n.id);
  const start = serialize(initial);
  distance.set(start, 0);
  visit({ from: start, event: { type: 'xstate.init' }, value: initial.value, to: start, length: 0 }, init);

  const shortest = getShortestPaths(logic, {
    input: options.input,
    fromState: initial,
    events: options.events,
    serializeState: serialize,
    limit: options.limit,
  });
  // After `getShortestPaths`, `steps[0]` is the initial state (event `xstate.init`) and each
  // further step's event is the one that led into that step's state.
  const paths: GeneratedPath[] = shortest.map((p) => ({
    events: p.steps.slice(1).map((s) => s.event as AnyEventObject),
    state: p.state as AnyMachineSnapshot,
  }));
  const pathTo = new Map(paths.map((p) => [serialize(p.state), p.events] as const));
  for (const from of sources) {
    const head = pathTo.get(from);
    if (!head) throw new Error(`${options.label}: no generated path reaches ${from}`);
    if (head.length !== distance.get(from)) throw new Error(`${options.label}: the shortest path to ${from} has ${head.length} steps, not ${distance.get(from)}`);
  }

  const witnesses = (best: Map<string, Best>): Map<string, Witness> =>
    new Map(
      [...best].map(([key, step]) => {
        if (step.length === 0) return [key, { events: [], value: step.value, state: step.to }];
        return [key, { events: [...pathTo.get(step.from)!, step.event], value: step.value, state: step.to }];
      }),
    );
  return { label: options.label, input: options.input, paths, steps, stateWitness: witnesses(bestNode), transitionWitness: witnesses(bestTransition), takenDefinitions };
}

export interface Replayed {
  readonly snapshot: AnyMachineSnapshot;
  readonly value: unknown;
  readonly status: string;
  readonly error: unknown;
  /** Keys of the targeted transitions the real actor took (its own, not its children's). */
  readonly taken: ReadonlySet<string>;
  /** The state nodes it reached (same rule as the traversal). */
  readonly nodes: ReadonlySet<string>;
}

/**
 * Starts a real actor (on a `SimulatedClock` that is never advanced: timers fire only as the
 * path's `xstate.after.*` events), sends the events in order, and stops it.
 */
export function replay(machine: AnyStateMachine, input: unknown, events: readonly AnyEventObject[]): Replayed {
  const rec = record();
  // The root actor is the one without a parent (its own microsteps start in its constructor).
  const actor = createActor(machine, {
    input,
    clock: new SimulatedClock(),
    inspect: (ev: InspectionEvent) => {
      // The root's entry actions run in its constructor: its system gets the stand-ins first.
      const ref = ev.actorRef as AnyActorRef;
      if (ev.type === '@xstate.actor' && ref._parent === undefined) withStandIns(ref.system);
      rec.listen(ev, (ref) => (ref as AnyActorRef)._parent === undefined);
    },
  });
  let error: unknown;
  actor.subscribe({ error: (e) => (error = e) });
  actor.start();
  for (const n of actor.getSnapshot()._nodes) rec.nodes.add(n.id);
  for (const event of events) actor.send(event);
  const snapshot = actor.getSnapshot();
  actor.stop();
  const taken = new Set(rec.taken.filter((t) => t.target?.length).map(transitionKey));
  return { snapshot, value: snapshot.value, status: snapshot.status, error: error ?? snapshot.error, taken, nodes: rec.nodes };
}

export interface Coverage {
  readonly states: { readonly covered: number; readonly total: number; readonly missing: readonly string[] };
  readonly transitions: { readonly covered: number; readonly total: number; readonly missing: readonly string[] };
}

/** What the explorations of one machine cover together, against its definition. */
export function coverage(machine: AnyStateMachine, explorations: readonly Exploration[], allowed: ReadonlySet<string> = new Set()): Coverage {
  const ids = stateNodes(machine).map((n) => n.id);
  const reached = new Set(explorations.flatMap((x) => [...x.stateWitness.keys()]));
  const keys = [...definedTransitions(machine).keys()];
  const taken = new Set(explorations.flatMap((x) => [...x.transitionWitness.keys()]));
  const missingStates = ids.filter((id) => !reached.has(id));
  const missingTransitions = keys.filter((k) => !taken.has(k) && !allowed.has(k));
  return {
    states: { covered: ids.length - missingStates.length, total: ids.length, missing: missingStates },
    transitions: { covered: keys.filter((k) => taken.has(k)).length, total: keys.length, missing: missingTransitions },
  };
}

/** The guarded branches (targeted or not) no exploration took, as `key [guard]`. */
export function untakenBranches(machine: AnyStateMachine, explorations: readonly Exploration[]): string[] {
  const taken = new Set(explorations.flatMap((x) => [...x.takenDefinitions]));
  return allTransitionDefinitions(machine)
    .filter((t) => !taken.has(t))
    .map((t) => `${transitionKey(t)} [${guardName(t.guard)}]`);
}
