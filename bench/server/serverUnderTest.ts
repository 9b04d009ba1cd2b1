/**
 * The server under test, in its own process: started through its real command line
 * (`runCli` of server/cli.ts, what `headless-calling-server` runs) on a free loopback port and a
 * fresh SQLite file, with the server's default limits but those {@link raisedFlags} finds one
 * loopback IP needs. The secret key comes in `HC_SECRET_KEY`, as an operator would give it.
 *
 * Heap figures leave through this host process's IPC channel (`mem`: two full GCs, then
 * `process.memoryUsage()`, the process runs with `--expose-gc`); `server/` itself has no hook.
 *
 * argv: `<clients> <sqlite file> <sdkAppId> [--redis <url> --cluster-prefix <p>]`.
 */
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { parseCli, runCli, USAGE } from '../../server/cli';
import { resolveOptions } from '../../server/options';
import { startHeapProfile } from './heapProfile';
import { memAfterGc, serve, snapshotAfterGc } from './ipc';
import { raisedFlags } from './serverFlags';
import { observeStalls } from './stalls';

const [clientsText = '2', dbPath = '', sdkAppId = '', ...clusterFlags] = process.argv.slice(2);
const raised = raisedFlags(USAGE, Number(clientsText));
const argv = [
  '--port', '0',
  '--host', '127.0.0.1',
  '--db', dbPath,
  '--sdkappid', sdkAppId,
  ...raised.flatMap((r) => [`--${r.flag}`, String(r.value)]),
  // Cluster mode: `--redis <url> --cluster-prefix <p>`.
  ...clusterFlags,
];

/** The limits in force: every numeric option after defaults, nested ones flattened (`rate.perSecond`). */
function limitsOf(options: object): Record<string, number> {
  const skip = new Set(['port', 'sdkAppId']);
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(options)) {
    if (skip.has(key)) continue;
    if (typeof value === 'number') out[key] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, n] of Object.entries(value as Record<string, unknown>)) if (typeof n === 'number') out[`${key}.${inner}`] = n;
    }
  }
  return out;
}

// Before the store opens: its transactions are timed from the first.
const readStalls = observeStalls(Database);
const parsed = parseCli(argv, process.env);
if (!parsed.ok) throw new Error(`the server's command line refused the bench's flags: ${parsed.text}`);
const resolved = resolveOptions(parsed.options);
const { server } = await runCli(argv, process.env);
const writeHeapProfile = await startHeapProfile();
if (!server) throw new Error('the server did not start');

process.send?.({
  type: 'ready',
  url: server.url,
  // The server's Node flags as this process got them (server/nodeFlags.ts, what its bin runs with, unless the bench was told others), without the harness's own (--expose-gc), and the bundle it runs (ipc.ts).
  describe: `node ${process.execArgv.filter((flag, i, all) => flag !== '--expose-gc' && flag !== '--import' && all[i - 1] !== '--import').join(' ')} ${basename(process.argv[1] ?? '')}: server/cli.ts runCli(${argv.map((a) => (a === dbPath ? '<tmp>/calling.db' : a)).join(' ')}), secret key in HC_SECRET_KEY`,
  limits: limitsOf(resolved),
  raised: raised.map((r) => `--${r.flag} ${r.value} (default ${r.defaultValue ?? '?'}: ${r.why})`),
});

serve(async (request) => {
  switch (request.cmd) {
    case 'mem':
      return { ...memAfterGc() };
    case 'snapshot':
      return snapshotAfterGc(String(request.path));
    case 'cpu':
      return { ...process.cpuUsage() };
    case 'stalls':
      return { ...readStalls() };
    case 'metrics':
      return { metrics: server.metrics() };
    case 'stop':
      await writeHeapProfile();
      await server.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${request.cmd}`);
  }
});
