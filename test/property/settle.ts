/** The end of every property run: faults healed, every timer run out, everyone logged out. */
import fc from 'fast-check';
import { attempt, dispose, everyDevice, type System } from './harness';
import { checkAgreement, checkToldElsewhere, violations } from './invariants';

/** More invariants of a network's runs, checked as everything settles (none by default). */
export interface EndChecks {
  /** Checked with the agreement, once the faults healed and every timer ran out, before the logouts. */
  readonly settled?: (s: System) => string[] | Promise<string[]>;
  /** Checked last, once everyone logged out and every grace passed. */
  readonly emptied?: (s: System) => string[] | Promise<string[]>;
}

/** Heals the network, lets every timer run out, logs everyone out; returns every invariant broken. */
export async function settleEverything(system: System, checks: EndChecks = {}): Promise<string[]> {
  system.net.heal();
  await system.net.advance(120_000);
  const agreement = [...checkAgreement(system), ...checkToldElsewhere(system), ...((await checks.settled?.(system)) ?? [])];
  // Everyone logs out: every call anyone dialled or accepted must now have its one CALL_END.
  for (const u of everyDevice(system)) await attempt(u, 'logout', (c) => c.logout());
  await system.net.advance(60_000);
  return [
    ...agreement,
    ...violations(system),
    ...everyDevice(system).flatMap((u) => (u.calling.getSnapshot().call ? [`${u.label} still has a call after logout`] : [])),
    ...((await checks.emptied?.(system)) ?? []),
  ];
}

/** One property run: `cmds` on `system` (the invariants checked after each), then everything settled and checked once more; disposed either way. */
export async function runToQuiescence(system: System, cmds: Iterable<fc.AsyncCommand<Record<string, never>, System>>, checks?: EndChecks): Promise<void> {
  try {
    await fc.asyncModelRun(() => ({ model: {}, real: system }), cmds);
    const found = await settleEverything(system, checks);
    if (found.length > 0) throw new Error(`at quiescence:\n${found.join('\n')}`);
  } finally {
    await dispose(system);
  }
}
