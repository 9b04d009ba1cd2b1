/**
 * The processes of `bench:server` and how the orchestrator talks to them: each is a Node child
 * (with `--expose-gc`) answering numbered requests over the IPC channel. A child runs its module
 * bundled by esbuild as `npm run build` bundles the server's bin (no tsx in the process: see
 * {@link startChild}).
 *
 * A target (our server's host process or the bare relay) answers `mem` (after two full GCs:
 * live heap and RSS), `cpu`, `stalls` (what held its event loop since the last ask: stalls.ts)
 * and `metrics`, and `stop`. This IPC channel is how the heap figures
 * leave the server process: the bench hosts `server/` itself, so `server/` has no debug hook.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

/** A request to a child: `cmd` plus its arguments; `id` is added by {@link Child.ask}. */
export interface Request {
  readonly cmd: string;
  readonly [key: string]: unknown;
}

/** A target's memory after full GCs, in bytes. */
export interface MemFigures {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  /** What V8 holds from the system for its heap (live or not), and what of it each space holds. */
  readonly heapTotal: number;
  readonly spaces: Readonly<Record<string, number>>;
  /**
   * Of `heapUsed`, compiled machine code (V8's code spaces). It is the JIT's, not the clients':
   * how much of it a run leaves depends on what TurboFan chose to optimize while the clients
   * logged in (0-260 KB for the bare relay over five runs on one machine), so a per-client heap
   * figure leaves it out.
   */
  readonly code: number;
}

/** CPU time used by a process so far, in microseconds. */
export interface CpuFigures {
  readonly user: number;
  readonly system: number;
}

/** What a target says once it listens. */
export interface Ready {
  readonly type: 'ready';
  readonly url: string;
  /** How it was started and with which limits, for the report. */
  readonly describe: string;
  readonly limits: Readonly<Record<string, unknown>>;
  readonly raised: readonly string[];
}

/** A child process speaking the request/reply IPC of the bench. */
export class Child {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private stderr = '';
  private exited: string | null = null;
  /** The first non-reply message (a target's `ready`). */
  readonly first: Promise<unknown>;

  constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    let firstResolve: (value: unknown) => void = () => undefined;
    let firstReject: (error: Error) => void = () => undefined;
    this.first = new Promise((resolve, reject) => {
      firstResolve = resolve;
      firstReject = reject;
    });
    this.first.catch(() => undefined);
    proc.on('message', (message: { id?: number; error?: string }) => {
      if (typeof message.id !== 'number') return firstResolve(message);
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`${this.name}: ${message.error}`));
      else waiter?.resolve(message);
    });
    proc.on('exit', (code, signal) => {
      this.exited = `${this.name} exited (${signal ?? code})${this.stderr ? `:\n${this.stderr}` : ''}`;
      const error = new Error(this.exited);
      firstReject(error);
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  /** Sends a request; resolves with the child's reply. */
  ask<T>(request: Request): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.proc.send({ ...request, id });
    });
  }

  /** Ends the child: `stop` if it answers within 5 s, else SIGKILL. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    this.ask({ cmd: 'stop' }).catch(() => undefined);
    await gone;
    clearTimeout(timer);
  }
}

/** Where the children's bundles go: under node_modules, so that their packages resolve as the repo's do. */
const BUILT = resolve(import.meta.dirname, '../../node_modules/.cache/hc-bench');
const bundles = new Map<string, string>();

/**
 * `file` bundled as tsup bundles the server's bin (esbuild, ESM for Node 20, packages left to
 * node_modules, not minified), once per bench. tsx's on-the-fly transform keeps function names
 * (a `__name` call at every closure made) and runs its loader hooks in the process: the server
 * measured through it was not the code `headless-calling-server` runs.
 */
function bundled(file: string): string {
  let out = bundles.get(file);
  if (out === undefined) {
    // Loaded here, not imported: the children bundle this module too, and never need esbuild in their process.
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const [code] = buildSync({ entryPoints: [file], bundle: true, write: false, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' }).outputFiles;
    if (!code) throw new Error(`esbuild made nothing of ${file}`);
    // Named by its content: benches at once share a file, and only a changed source makes a new one.
    out = join(BUILT, `${basename(file, '.ts')}-${createHash('sha256').update(code.contents).digest('hex').slice(0, 12)}.mjs`);
    if (!existsSync(out)) {
      mkdirSync(BUILT, { recursive: true });
      // Those of earlier sources go (a process started from one has it loaded already).
      const name = basename(file, '.ts');
      for (const old of readdirSync(BUILT)) if (old.startsWith(`${name}-`) && old.endsWith('.mjs')) rmSync(join(BUILT, old), { force: true });
      // Renamed into place: another bench never starts a half-written file.
      writeFileSync(`${out}.${process.pid}`, code.contents);
      renameSync(`${out}.${process.pid}`, out);
    }
    bundles.set(file, out);
  }
  return out;
}

/**
 * Starts `file` (a .ts module of bench/) as a child with `--expose-gc`, `nodeFlags` (a server's
 * are {@link SERVER_NODE_FLAGS}, what its bin runs with) and IPC: bundled ({@link bundled}), or
 * through tsx with `run: 'tsx'` (a module that bundles others from its own folder).
 * `BENCH_CPU_PROF=<dir>` in the environment writes a V8 CPU profile of every child there
 * (the orchestrator stops them with `process.exit`, which writes it).
 */
export function startChild(name: string, file: string, args: readonly string[] = [], env: Record<string, string> = {}, nodeFlags: readonly string[] = [], run: 'bundled' | 'tsx' = 'bundled'): Child {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // BENCH_NODE_FLAGS: more flags for every child (e.g. `--trace-gc`, whose lines then go to this stdout).
  const extra = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : [];
  const proc = fork(run === 'tsx' ? file : bundled(file), [...args], {
    execArgv: [...(run === 'tsx' ? ['--import', 'tsx'] : []), '--expose-gc', ...nodeFlags, ...profile, ...extra],
    env: { ...process.env, ...env },
    stdio: ['ignore', extra.length > 0 ? 'inherit' : 'ignore', 'pipe', 'ipc'],
  });
  return new Child(name, proc);
}

/** Whether `taskset` can pin processes here (Linux with util-linux, two cores or more). */
export function canPin(cores: number): boolean {
  return cores >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Pins every thread of `pid` (and the threads it starts later) to one core. */
export function pin(pid: number, core: number): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`taskset could not pin pid ${pid} to core ${core}`);
}

/** Busy and total jiffies of each core from /proc/stat, or null where there is none. */
export function coreTimes(): { busy: number; total: number }[] | null {
  try {
    return readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((line) => /^cpu\d+ /.test(line))
      .map((line) => {
        const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
        const busy = user + nice + system + irq + softirq + steal;
        return { busy, total: busy + idle + iowait };
      });
  } catch {
    return null;
  }
}

/** The child side: answers the parent's requests with `handler`, the reply carrying the request's `id`. */
export function serve(handler: (request: Request) => Promise<Record<string, unknown>> | Record<string, unknown>): void {
  process.on('message', (message: Request & { id: number }) => {
    Promise.resolve()
      .then(() => handler(message))
      .then(
        (reply) => process.send?.({ ...reply, id: message.id }),
        (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  // The parent gone means the bench is over: never outlive it.
  process.on('disconnect', () => process.exit(0));
}

/** The heap a target's objects hold, without compiled code (see `MemFigures.code`). */
export const liveHeap = (m: MemFigures): number => m.heapUsed - m.code;

/** A target's memory after two full GCs (the target runs with `--expose-gc`). */
export function memAfterGc(): MemFigures {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const stats = getHeapSpaceStatistics();
  const spaces = Object.fromEntries(stats.map((s) => [s.space_name, s.physical_space_size]));
  const code = stats.filter((s) => s.space_name.startsWith('code_')).reduce((n, s) => n + s.space_used_size, 0);
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, heapTotal: m.heapTotal, spaces, code };
}

/** Writes a heap snapshot of a target to `path` after two full GCs (investigation: what a client holds). */
export function snapshotAfterGc(path: string): { path: string } {
  memAfterGc();
  return { path: writeHeapSnapshot(path) };
}

