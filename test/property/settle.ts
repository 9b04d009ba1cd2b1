/** The end of every property run: faults healed, every timer run out, everyone logged out. */
import { attempt, everyDevice, type System } from './harness';
import { checkAgreement, violations } from './invariants';

/** Heals the network, lets every timer run out, logs everyone out; returns every invariant broken. */
export async function settleEverything(system: System): Promise<string[]> {
  system.net.heal();
  await system.net.advance(120_000);
  const agreement = checkAgreement(system);
  // Everyone logs out: every call anyone dialled or accepted must now have its one CALL_END.
  for (const u of everyDevice(system)) await attempt(u, 'logout', (c) => c.logout());
  await system.net.advance(60_000);
  return [...agreement, ...violations(system), ...everyDevice(system).flatMap((u) => (u.calling.getSnapshot().call ? [`${u.label} still has a call after logout`] : []))];
}
