/**
 * A bounded pool of job threads (node:worker_threads) with a queue, so plans and simulations never
 * run on the event loop that serves requests. Threads start when first needed and are kept for the
 * next task (HiGHS's WebAssembly is loaded once per thread); a cancelled task's thread is
 * terminated (a solve cannot be interrupted from outside) and replaced on demand.
 */
import { availableParallelism } from 'node:os';
import type { Progress } from '../../app/ports.js';
import { Worker } from 'node:worker_threads';
import { deserializeError, type FromWorker, type ToWorker, type WorkerProgress } from './protocol.js';
import type { tasks as jobTasks } from './tasks.js';

/** One thread per core, leaving one for the event loop; at least one. */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface RunHooks {
  progress?: (p: WorkerProgress) => void;
  /** Called when a thread takes the task from the queue. */
  started?: () => void;
  signal?: AbortSignal;
  /** Buffers moved to the thread instead of copied (a large body, a trace's columns): unusable here after. */
  transfer?: ArrayBuffer[];
}

interface Pending {
  id: number;
  task: string;
  input: unknown;
  hooks: RunHooks;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class Cancelled extends Error {
  constructor() {
    super('the job was cancelled');
    this.name = 'Cancelled';
  }
}

/** A table of tasks a thread can run (tasks.ts for jobs, the HTTP adapter's parse tasks). */
export type TaskTable = Record<string, (input: never, progress: Progress) => Promise<unknown>>;

/**
 * The entry module `name` beside the module at `base` (an import.meta.url): `.ts` when running
 * from the sources (tests, tsx), `.js` when built.
 */
export function threadEntry(base: string, name: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/**
 * A thread running the module `entry` (from threadEntry). From the sources (tests, tsx) the thread
 * loads TypeScript through tsx; built, plain JS.
 */
export function startThread(entry: URL, workerData?: unknown): Worker {
  return entry.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, workerData })
    : new Worker(entry, { workerData });
}

export class WorkerPool<T extends TaskTable = typeof jobTasks> {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private seq = 0;
  private closed = false;

  /** `entry`: the thread's module (default: the job thread, worker.ts); it serves a TaskTable. */
  constructor(
    readonly size = defaultPoolSize(),
    private readonly entry: URL = threadEntry(import.meta.url, 'worker'),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a job pool needs at least one thread (got ${size})`);
  }

  run<K extends keyof T & string>(task: K, input: Parameters<T[K]>[0], hooks: RunHooks = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the job pool is closed'));
    if (hooks.signal?.aborted) return Promise.reject(new Cancelled());
    return new Promise((resolve, reject) => {
      const p: Pending = { id: ++this.seq, task, input, hooks, resolve, reject };
      hooks.signal?.addEventListener('abort', () => this.cancel(p), { once: true });
      this.queue.push(p);
      this.dispatch();
    });
  }

  /** Threads started, tasks running and tasks waiting (for metrics). */
  stats(): { threads: number; running: number; queued: number } {
    return { threads: this.idle.length + this.busy.size, running: this.busy.size, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the server is shutting down'));
    const all = [...this.idle.splice(0), ...this.busy.keys()];
    for (const [, p] of this.busy) p.reject(new Error('the server is shutting down'));
    this.busy.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length && (this.idle.length || this.idle.length + this.busy.size < this.size)) {
      const p = this.queue.shift()!;
      const w = this.idle.pop() ?? this.spawn();
      this.busy.set(w, p);
      p.hooks.started?.();
      w.postMessage({ id: p.id, task: p.task, input: p.input } satisfies ToWorker, p.hooks.transfer);
    }
  }

  private spawn(): Worker {
    const w = startThread(this.entry);
    w.unref();
    w.on('message', (m: FromWorker) => {
      const p = this.busy.get(w);
      if (!p || p.id !== m.id) return;
      if (m.type === 'progress') {
        p.hooks.progress?.(m.progress);
        return;
      }
      this.busy.delete(w);
      if (m.type === 'done') p.resolve(m.output);
      else p.reject(deserializeError(m.error));
      if (!this.closed) this.idle.push(w);
      this.dispatch();
    });
    const lost = (why: Error) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      p?.reject(why);
      if (!this.closed) this.dispatch();
    };
    w.on('error', (e) => lost(e));
    w.on('exit', (code) => lost(new Error(`the job thread stopped (exit code ${code})`)));
    return w;
  }

  private cancel(p: Pending): void {
    const q = this.queue.indexOf(p);
    if (q >= 0) {
      this.queue.splice(q, 1);
      p.reject(new Cancelled());
      return;
    }
    for (const [w, running] of this.busy) {
      if (running !== p) continue;
      this.busy.delete(w);
      p.reject(new Cancelled());
      void w.terminate();
      this.dispatch();
      return;
    }
  }
}

/** Feed a thread's progress reports into a job's Progress. */
export function relayProgress(progress: Progress): (p: WorkerProgress) => void {
  let total: number | undefined;
  return (p) => {
    if (p.total !== total) {
      total = p.total;
      progress.start(p.total, p.label);
    } else progress.note?.(p.label);
    progress.tick(p.done);
  };
}
