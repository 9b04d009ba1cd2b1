/** Entry point of `headless-calling-server` and `npm start`. */
import { runCli } from './cli';

runCli(process.argv.slice(2), process.env).then(
  ({ code, server }) => {
    if (!server) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
