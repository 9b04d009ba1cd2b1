/**
 * Entry point of `headless-calling-server` and `npm start`. A misconfiguration exits with code 2
 * after one line (runCli); anything else unexpected exits with 1 and its message, never a stack
 * trace unless HC_DEBUG is set. A cluster node whose id another process took while it stalled stops
 * by itself and exits with 3, after its log's one line (`cluster/nodeId.ts`, `NodeIdLost`).
 */
import { runCli } from './cli';

// The log goes to stdout and stderr. Once nobody reads them (the pipe to a log collector closed, `| head` done), a
// line written is EPIPE, an 'error' event of the stream: unheard, it ended the process, every connection with it,
// at the next line a peer's refusal wrote. The lines are lost (there is nowhere left to say so); the server serves on.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

runCli(process.argv.slice(2), process.env).then(
  ({ code, server }) => {
    if (!server) process.exit(code);
    // Its own code: not a misconfiguration found at start (2), nor an unexpected failure (1). Restarted, it is refused (2) while the other runs.
    else void server.stopped.then(() => process.exit(3));
  },
  (error: unknown) => {
    const debug = Boolean(process.env.HC_DEBUG);
    console.error(`headless-calling-server: ${error instanceof Error ? (debug ? error.stack : error.message) : String(error)}`);
    process.exit(1);
  },
);
