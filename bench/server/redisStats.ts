/**
 * Redis's `INFO commandstats` read around a phase of the bench: how many of each command a setup cost, by name.
 * Commands a Lua script runs count under their own names, and each script call once more (`evalsha`), so the
 * by-name counts show what the scripts do inside as well as the round trips. Every client of the Redis counts:
 * run the cluster bench on a Redis of its own (`redis-server --port 6391 --save ''`) for figures nobody else's
 * commands blur.
 */

/** Calls per command name (lower case: `evalsha`, `xadd`, `publish`, ...). */
export type CommandCounts = Record<string, number>;

/** The calls per command in an `INFO commandstats` answer (`cmdstat_<name>:calls=<n>,...`; sub-commands as `config|get`). */
export function parseCommandStats(info: string): CommandCounts {
  const out: CommandCounts = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

/** What `after` counts beyond `before`, divided by `per` (setups), the commands that did not run left out. */
export function perSetup(before: CommandCounts, after: CommandCounts, per: number): CommandCounts {
  const out: CommandCounts = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d > 0) out[name] = d / Math.max(1, per);
  }
  return out;
}

/** `xadd 2.0, publish 4.0, ...`, the most frequent first; the `info` that read them left out. */
export function showCounts(counts: CommandCounts, digits = 2): string {
  return Object.entries(counts)
    .filter(([name]) => name !== 'info')
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, n]) => `${name} ${n.toFixed(digits)}`)
    .join(', ');
}

/** Redis's own CPU time so far (`INFO cpu`: used_cpu_user + used_cpu_sys of its main process), in µs. */
export function parseRedisCpu(info: string): number {
  const read = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return Math.round((read('used_cpu_user') + read('used_cpu_sys')) * 1e6);
}
