/**
 * The Node flags the server runs with: the `headless-calling-server` bin's shebang
 * (server/tsup.config.ts), `npm start` and `npm run server` (package.json), and the benches'
 * server processes (bench/server/main.ts, memProbe.ts), so that what is measured is what runs.
 * `test/package/pack.test.ts` holds the shebang and the scripts to this list.
 *
 * `--max-semi-space-size=4` (MB): V8 lets its young generation grow to 16 MB per semi-space,
 * three of them resident, when a burst of logins or frames keeps objects alive across
 * collections, and keeps it. For this server that is 16-18 MB of resident memory that holds no
 * client (8.8 of its 16.8 KB per client at 2,000 clients in `npm run bench:server`, 2026-12-03),
 * and a young collection of 4-6 ms every ~130 ms at 2,500 setups/s, since each one copies
 * every message still waiting for its receipt. Capped at 4 MB, the young generation stays put
 * (6.3 KB per client, 0.67x the bare relay) and a young collection takes under 1 ms; what
 * survives is promoted sooner, for about 6% more CPU per setup (182 vs 170 µs). The paced tail is
 * the old generation's and does not move either way (README, Figures).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
