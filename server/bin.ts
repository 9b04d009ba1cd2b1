/**
 * Entry point of `headless-calling-server` and `npm start`. A misconfiguration exits with code 2
 * after one line (runCli); anything else unexpected exits with 1 and its message, never a stack
 * trace unless HC_DEBUG is set.
 */
import { runCli } from './cli';

runCli(process.argv.slice(2), process.env).then(
  ({ code, server }) => {
    if (!server) process.exit(code);
  },
  (error: unknown) => {
    const debug = Boolean(process.env.HC_DEBUG);
    console.error(`headless-calling-server: ${error instanceof Error ? (debug ? error.stack : error.message) : String(error)}`);
    process.exit(1);
  },
);
