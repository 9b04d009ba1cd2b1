/**
 * The kick the revocation tests share: carol's tab 1 logs in on node a, which reaches Redis through a
 * proxy; node a's writes are held; tab 2 logs in on node b with a newer userSig and takes carol over.
 * What each test does with node a's held writes (release, cut, outwait the command timeout) is its own.
 */
import { expect } from 'vitest';
import type { Frame } from '../server/support';
import { tencentUserSig } from '../server/support';
import { type inProcessNodes, until } from './support';

type Nodes = ReturnType<typeof inProcessNodes>;
type NodeOptions = Parameters<Nodes['node']>[1];

/** Carol's userSigs: tab 1's, tab 2's (newer), a third login's (newer still). */
export const SIGS = { old: tencentUserSig('carol', 3600), newer: tencentUserSig('carol', 3599), third: tencentUserSig('carol', 3598) } as const;

export const carolLogin = (userSig: string, resume?: unknown) => ({ type: 'login', userID: 'carol', userSig, protocol: 1, ...(resume === undefined ? {} : { resume }) });

/**
 * Tab 1 logged in on node a (`aOptions` for it), node a's writes held (`pa.hold()`), tab 2 logged in on
 * node b: resolves once node a let carol go (its kick made; its revocation in the proxy or on its way).
 */
export async function heldKick(t: Nodes, aOptions: NodeOptions = {}) {
  const pa = await t.proxy();
  const a = await t.node('a', { ...aOptions, redisUrl: pa.url });
  // Node b does not wait long for node a's budgets (its answer is held too): the stall stays short.
  const b = await t.node('b', { budgetAskMs: 1 });
  const tab1 = await t.open(a);
  const first = await tab1.request(carolLogin(SIGS.old));
  expect(first.type).toBe('loggedIn');
  await until('carol claimed on a', () => t.redis.hget(`${t.prefix}:d:carol`, 'node'), (n) => n === 'a');

  pa.hold();
  const tab2 = await t.open(b);
  expect((await tab2.request(carolLogin(SIGS.newer))).type).toBe('loggedIn');
  await until('node a let carol go', () => a.handle.metrics().cluster?.takeovers, (n) => n === 1);
  return { pa, a, b, tab1, first, tab2 };
}

/**
 * Tab 1 comes back through node b with its old userSig, `with its token` (the session tab 1 had:
 * `first`) or without: what it was answered (the refusal's code, or `loggedIn`) and what became of
 * tab 2 ('pong': still in; had tab 1 logged in, tab 2 is kicked back, 4001, which the rule exists to prevent).
 */
export async function comeBack(t: Nodes, b: Awaited<ReturnType<Nodes['node']>>, first: Frame, tab2: Awaited<ReturnType<Nodes['open']>>, how: 'without its token' | 'with its token') {
  const comeback = await t.open(b);
  const answer = await comeback.request(carolLogin(SIGS.old, how === 'with its token' ? first.session : undefined));
  const newer = answer.type === 'loggedIn' ? await tab2.closed : (await tab2.request({ type: 'ping' })).type;
  return { comeback: answer.type === 'error' ? answer.code : answer.type, newer };
}
