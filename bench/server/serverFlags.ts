/**
 * Which server limits the bench raises, and nothing else: every client of the bench comes from
 * one loopback address, so a per-IP limit (and a total one lower than the client count) would
 * refuse a load that a production deployment spreads over many addresses. Everything else
 * stays at the server's defaults, as an operator would run it.
 *
 * The flags are read from the server's own `--help` text, so a limit added later (the
 * trust-boundary issue adds connections per IP and in total) is found without editing the
 * bench; {@link RAISE_FOR_ONE_IP} names a flag by hand if its help text does not say "per IP".
 */

/** Flags to raise by hand (name without `--`): for limits whose help text the detection misses. */
export const RAISE_FOR_ONE_IP: readonly string[] = [];

/** One raised flag and why. */
export interface RaisedFlag {
  readonly flag: string;
  readonly value: number;
  readonly defaultValue: number | null;
  readonly why: string;
}

const PER_IP = /per[ -](?:IP|address|remote address|client address)/i;
const TOTAL_CONNECTIONS = /connections?\b.*\b(?:in total|total|in all)\b|\btotal\b.*\bconnections?\b/i;

/**
 * The flags of `usage` (the server's `--help`) that one loopback IP with `clients` connections
 * needs raised. One address stands for `clients` addresses of a real deployment, so a per-IP
 * limit is multiplied by `clients` (what those addresses would be allowed together); one without
 * a readable default, and a total-connections limit below the client count, get twice the
 * client count (a count, or a rate: the bench opens its connections in about a second).
 */
export function raisedFlags(usage: string, clients: number): RaisedFlag[] {
  const out: RaisedFlag[] = [];
  for (const line of usage.split('\n')) {
    const match = /^\s*--([a-z0-9-]+)\s+<[^>]+>\s+(.*)$/i.exec(line);
    if (!match) continue;
    const [, flag = '', help = ''] = match;
    const def = /default\s+([\d_,]+)/i.exec(help);
    const defaultValue = def?.[1] === undefined ? null : Number(def[1].replace(/[_,]/g, ''));
    const value = defaultValue === null || defaultValue === 0 ? clients * 2 : Math.max(defaultValue * clients, clients * 2);
    if (RAISE_FOR_ONE_IP.includes(flag)) out.push({ flag, value, defaultValue, why: 'named in RAISE_FOR_ONE_IP' });
    else if (PER_IP.test(help)) out.push({ flag, value, defaultValue, why: 'a per-IP limit: every bench client is on 127.0.0.1' });
    else if (TOTAL_CONNECTIONS.test(help) && (defaultValue === null || defaultValue < clients)) {
      out.push({ flag, value: clients * 2, defaultValue, why: `a total connection limit below ${clients} clients` });
    }
  }
  return out;
}
