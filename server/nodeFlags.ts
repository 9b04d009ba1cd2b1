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
 * survives is promoted sooner, for about 6% more CPU per setup (182 vs 170 µs).
 *
 * `--single-threaded-gc`: V8 collects on the main thread only, in small incremental steps between
 * the frames, instead of with helper threads beside it. The server is one thread's work, run one
 * process per core (a cluster node per core, see README "Running a cluster"), so the helpers find
 * no idle core: they take the server's own core away from it for 30-50 ms around every
 * mark-compact (about once a second at 2,500 setups/s), the paced tail. On main alone the paced
 * p99 at 2,500 setups/s fell from 16.5-22.6 ms to 5.4-6.7 ms, with setups/s and RSS no lower
 * (`npm run bench:server`, the server pinned to one core, 2026-12-03). A lone server process with
 * idle cores beside it loses by it: free to use both cores here, 12% fewer setups/s at saturation
 * (4,913 vs 5,617, V8's helpers had the second core) for a paced p99 of 6.0-9.1 ms against 8.9-10.8;
 * `node <bin>` without the flag gives V8's helpers back.
 *
 * `--no-allocation-site-pretenuring`: V8 watches which object literals outlive young collections
 * and, past a threshold, allocates every later object of that literal in the old generation at once.
 * While the closed loop queues frames for tens of ms (or logins come in a burst) a message's objects
 * do outlive them, so V8 pretenures them, and then never learns otherwise (an object allocated old
 * carries nothing to learn from): every message object afterwards is old from birth, and keeps the
 * young strings it points to (payloads, frames) alive through every young collection until they are
 * promoted too. At 2,500 setups/s that promoted 16 MB a second (`--trace-gc-nvp`) for messages that
 * live about a millisecond; without pretenuring 9 MB, young collections' pauses 60-70 ms a second
 * against 85-95, and the paced p99 4.2-4.9 ms against 7.0-20.3 ms over 4 rounds each, setups/s no
 * lower (`npm run bench:server -- --rounds 2` alternated, 2 AMD EPYC cores, 2026-12-03; later runs
 * with it spread 3.0-27 ms with the machine's speed).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--single-threaded-gc', '--no-allocation-site-pretenuring'];
