/**
 * A world of users for scenario tests: each user is a TRTCCalling logged in over one backend,
 * with every event it receives recorded. Scenarios are written against `World`, so the same
 * scripts run over the memory network here and over the embedded server later.
 */
import { afterEach, beforeEach } from 'vitest';
import { CORE_FAULT } from '../../machines/events';
import { TRTCCalling, type Backend } from '../../src/index';
import { captureEvents, createMemoryNetwork, SimulatedClock, type EventCapture, type MemoryNetwork } from '../../src/testing';

export interface Party {
  readonly id: string;
  readonly calling: TRTCCalling;
  readonly events: EventCapture;
  /** The events since the last `take`, as `{ name, payload }` (times dropped). */
  take(): Array<{ name: string; payload: unknown }>;
}

export interface World {
  /** A new client logged in as `userID` (its SDK_READY already taken). */
  user(userID: string): Promise<Party>;
  /** A new client that is not logged in yet. */
  client(userID: string): Party;
  createGroup(groupID: string, members: readonly string[]): Promise<void>;
  /** Lets `ms` of (virtual) time pass, delivering whatever falls due. */
  advance(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

/** Core faults (ERROR -1300, a request with no actor to take it) seen by any party: `failOnCoreFaults` fails the test. */
const coreFaults: string[] = [];

export function party(id: string, calling: TRTCCalling): Party {
  const events = captureEvents(calling);
  calling.on(TRTCCalling.EVENT.ERROR, ({ code, msg }) => {
    if (code === CORE_FAULT) coreFaults.push(`${id}: ${msg}`);
  });
  return {
    id,
    calling,
    events,
    take: () => events.take().map(({ name, payload }) => ({ name, payload })),
  };
}

/**
 * Throws if any party saw a core fault since the last call (the worlds call it when disposed),
 * so a test that does not assert some party's whole log still fails on one.
 */
export function failOnCoreFaults(): void {
  const seen = coreFaults.splice(0);
  if (seen.length > 0) throw new Error(`core faults:\n${seen.join('\n')}`);
}

export interface MemoryWorld extends World {
  /** {@link World.client}, on `backend` (one of `net`'s, changed by the test) if given. */
  client(userID: string, backend?: Backend): Party;
  readonly net: MemoryNetwork;
  readonly clock: SimulatedClock;
}

/** The memory network on a simulated clock; IM and room latency 20 ms (`multiDevice`: many devices allowed). */
export function memoryWorld(options: { readonly multiDevice?: boolean } = {}): MemoryWorld {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock, ...options });
  const parties: Party[] = [];
  const client = (userID: string, backend: Backend = net.backend()) => {
    const p = party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend }));
    parties.push(p);
    return p;
  };
  return {
    net,
    clock,
    client,
    async user(userID) {
      const p = client(userID);
      await p.calling.login({ userID, userSig: `sig-${userID}` });
      await net.settle();
      p.take();
      return p;
    },
    async createGroup(groupID, members) {
      net.im.createGroup(groupID, members);
    },
    advance: (ms) => net.advance(ms),
    async dispose() {
      for (const p of parties) void p.calling.destroy();
      failOnCoreFaults();
    },
  };
}

/**
 * Registers a fresh memory world with these users logged in before each test (and disposes
 * it after); read them as `t.world`, `t.alice`, ... inside the tests.
 */
export function memoryUsers<const Ids extends readonly string[]>(
  ...ids: Ids
): { readonly world: MemoryWorld } & { readonly [K in Ids[number]]: Party } {
  const state: { world?: MemoryWorld; parties: Map<string, Party> } = { parties: new Map() };
  beforeEach(async () => {
    state.world = memoryWorld();
    state.parties = new Map();
    for (const id of ids) state.parties.set(id, await state.world.user(id));
  });
  afterEach(() => state.world?.dispose());
  const t = {
    get world() {
      if (!state.world) throw new Error('memoryUsers: used outside a test');
      return state.world;
    },
  };
  for (const id of ids)
    Object.defineProperty(t, id, {
      get: () => {
        const p = state.parties.get(id);
        if (!p) throw new Error(`memoryUsers: ${id} used outside a test`);
        return p;
      },
    });
  return t as { readonly world: MemoryWorld } & { readonly [K in Ids[number]]: Party };
}

/** `caller` dials `callee` (a 1v1 call of `type`), who accepts: both are in the call, a second of world time later. */
export async function answeredCall(world: World, caller: Party, callee: Party, type: 1 | 2 = 1, timeout?: number): Promise<void> {
  // Not awaited before the clock moves: over the embedded world the invitation's send waits on it.
  const dial = caller.calling.call({ userID: callee.id, type, ...(timeout === undefined ? {} : { timeout }) });
  await world.advance(1000);
  await dial;
  await callee.calling.accept();
  await world.advance(1000);
}

type Im = Backend['im'];

/** `im` with its `sendToUser` in the hands of `send` (given the real one, bound); every other member as it is, bound. */
export function withSendToUser(im: Im, send: (real: Im['sendToUser'], ...args: Parameters<Im['sendToUser']>) => Promise<void>): Im {
  return new Proxy(im, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'sendToUser') return (...args: Parameters<Im['sendToUser']>) => send(target.sendToUser.bind(target), ...args);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
