/** The end of every property run: faults healed, every timer run out, everyone logged out. */
import fc from 'fast-check';
import { attempt, dispose, everyDevice, type System } from './harness';
import { checkAgreement, violations } from './invariants';

/**
 * Heals the network, lets every timer run out, logs everyone out; returns every invariant broken. `quiescent`:
 * more invariants of the settled system, checked with the agreement before the logouts.
 */
export async function settleEverything(system: System, quiescent: (s: System) => string[] | Promise<string[]> = () => []): Promise<string[]> {
  system.net.heal();
  await system.net.advance(120_000);
  const agreement = [...checkAgreement(system), ...(await quiescent(system))];
  // Everyone logs out: every call anyone dialled or accepted must now have its one CALL_END.
  for (const u of everyDevice(system)) await attempt(u, 'logout', (c) => c.logout());
  await system.net.advance(60_000);
  return [...agreement, ...violations(system), ...everyDevice(system).flatMap((u) => (u.calling.getSnapshot().call ? [`${u.label} still has a call after logout`] : []))];
}

/** One property run: `cmds` on `system` (the invariants checked after each), then everything settled and checked once more; disposed either way. */
export async function runToQuiescence(system: System, cmds: Iterable<fc.AsyncCommand<Record<string, never>, System>>, quiescent?: (s: System) => string[] | Promise<string[]>): Promise<void> {
  try {
    await fc.asyncModelRun(() => ({ model: {}, real: system }), cmds);
    const found = await settleEverything(system, quiescent);
    if (found.length > 0) throw new Error(`at quiescence:\n${found.join('\n')}`);
  } finally {
    await dispose(system);
  }
}
