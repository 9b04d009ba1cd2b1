/**
 * The cluster tier with Redis stalling (`npm run test:stalls`): while `vitest run` runs (test/cluster
 * unless given files), a busy script holds Redis for 30 ms at random moments, 0-50 ms apart, so what a
 * node and another (or a test) send on different connections meets in Redis in either order. CI saw such
 * orderings on a loaded machine: a kicked tab let back in before its revocation ran, a flood test stopped
 * early on a sender's holdings learned before a move of hers ended. Here they show in minutes, not weeks.
 *
 * Usage: npm run test:stalls [-- --rounds N --stall-ms M] [vitest filters]; exits 1 when a round failed.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';

const STALL = `local t = redis.call('TIME')
while true do
  local n = redis.call('TIME')
  if (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > tonumber(ARGV[1]) then break end
end
return 1`;

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a positive whole number`);
  args.splice(at, 2);
  return value;
}

const args = process.argv.slice(2);
const rounds = flag(args, '--rounds', 3);
const stallMs = flag(args, '--stall-ms', 30);
const files = args.length > 0 ? args : ['test/cluster'];

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
let running = true;
let stalls = 0;
const stalling = (async () => {
  while (running) {
    await redis.eval(STALL, 0, stallMs * 1000);
    stalls++;
    await new Promise((r) => setTimeout(r, Math.random() * 50));
  }
})();

let failed = 0;
for (let round = 1; round <= rounds; round++) {
  const code = await new Promise<number>((done) => {
    const child = spawn('npx', ['vitest', 'run', ...files], { stdio: 'inherit' });
    child.on('exit', (c) => done(c ?? 1));
  });
  if (code !== 0) failed++;
  console.log(`round ${round} of ${rounds}: ${code === 0 ? 'passed' : 'FAILED'} (${stalls} stalls of ${stallMs} ms so far)`);
}
running = false;
await stalling;
redis.disconnect();
console.log(`${failed} of ${rounds} rounds failed`);
process.exit(failed === 0 ? 0 : 1);
