/**
 * Long work (an ingest, a plan, a simulation) runs as a job: submit returns at once with an id;
 * status and progress can be read or followed as events, and a job not yet finished can be
 * cancelled. Jobs live in memory for the life of the server process; their results are recorded in
 * the store by the work itself where relevant. Where the work runs (here, or in a worker thread
 * from a bounded pool, queued until one is free) is the work's business: it says when it started.
 */
import { EventEmitter } from 'node:events';
import type { Clock, Progress } from './ports.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const isFinished = (s: JobStatus): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';

export interface JobProgress {
  done: number;
  total: number;
  label: string;
}

export interface Job<R = unknown> {
  id: string;
  kind: string;
  status: JobStatus;
  progress: JobProgress;
  createdAt: string;
  finishedAt?: string;
  result?: R;
  error?: { title: string; status: number; detail: string; issues?: unknown[] };
}

export type JobEvent = { type: 'progress'; job: Job } | { type: 'done'; job: Job };

/** What running work gets besides its progress. */
export interface JobControl {
  /** Aborted when the job is cancelled: stop, and let the promise reject. */
  signal: AbortSignal;
  /** The work has left its queue and is running now (for work submitted with `queued: true`). */
  started(): void;
}

export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly events = new EventEmitter();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    /** Maps a thrown error to the problem a client sees (the HTTP adapter knows how). */
    private readonly describeError: (e: unknown) => NonNullable<Job['error']>,
    private readonly keep = 200,
  ) {
    this.events.setMaxListeners(0);
  }

  private readonly aborts = new Map<string, AbortController>();
  /** Finished jobs by outcome since the start; the job list itself is trimmed. */
  private readonly finished = { succeeded: 0, failed: 0, cancelled: 0 };

  /**
   * Start `work` as a job. With `queued`, the job stays `queued` until the work calls
   * `started()` (it waits for a worker); otherwise it is `running` at once.
   */
  submit<R>(kind: string, work: (progress: Progress, ctl: JobControl) => Promise<R>, opts: { queued?: boolean; cancellable?: boolean } = {}): Job<R> {
    const id = `job_${(++this.seq).toString(36)}_${this.clock.now().getTime().toString(36)}`;
    const job: Job<R> = { id, kind, status: 'queued', progress: { done: 0, total: 0, label: kind }, createdAt: this.clock.now().toISOString() };
    this.jobs.set(id, job as Job);
    this.trim();
    let lastEmit = 0;
    const progress: Progress = {
      start: (total, label) => {
        job.progress = { done: 0, total, label };
        this.emit({ type: 'progress', job: job as Job });
      },
      tick: (done) => {
        job.progress = { ...job.progress, done };
        const now = this.clock.now().getTime();
        // Throttled: a tight loop must not flood subscribers.
        if (now - lastEmit >= 100 || done >= job.progress.total) {
          lastEmit = now;
          this.emit({ type: 'progress', job: job as Job });
        }
      },
      finish: () => undefined,
      note: (label) => {
        job.progress = { ...job.progress, label };
      },
    };
    const abort = new AbortController();
    // Only work that stops when told (and then leaves nothing behind) may be cancelled: a job
    // marked cancelled must not go on to commit.
    if (opts.cancellable) this.aborts.set(id, abort);
    const started = () => {
      if (job.status !== 'queued') return;
      job.status = 'running';
      this.emit({ type: 'progress', job: job as Job });
    };
    setImmediate(async () => {
      if (abort.signal.aborted) return;
      if (!opts.queued) started();
      let result: R | undefined;
      let error: unknown;
      let ok = false;
      try {
        result = await work(progress, { signal: abort.signal, started });
        ok = true;
      } catch (e) {
        error = e;
      }
      this.aborts.delete(id);
      // A cancelled job was finished by cancel(); what its work did after that is dropped.
      if (job.status === 'cancelled') return;
      if (ok) {
        job.result = result;
        job.status = 'succeeded';
      } else {
        job.status = 'failed';
        job.error = this.describeError(error);
      }
      job.finishedAt = this.clock.now().toISOString();
      this.finished[job.status]++;
      this.emit({ type: 'done', job: job as Job });
    });
    return job;
  }

  /**
   * Cancel a job that has not finished: its work is told to stop (a worker running it is
   * terminated) and the job is marked cancelled at once. Says why not otherwise.
   */
  cancel(id: string): 'cancelled' | 'finished' | 'not-cancellable' {
    const job = this.jobs.get(id);
    if (!job || isFinished(job.status)) return 'finished';
    const abort = this.aborts.get(id);
    if (!abort) return 'not-cancellable';
    job.status = 'cancelled';
    this.finished.cancelled++;
    job.finishedAt = this.clock.now().toISOString();
    abort.abort();
    this.aborts.delete(id);
    this.emit({ type: 'done', job });
    return 'cancelled';
  }

  /** Jobs queued and running now, and finished ones since the start by outcome (for metrics). */
  counts(): Record<JobStatus, number> {
    const c: Record<JobStatus, number> = { queued: 0, running: 0, ...this.finished };
    for (const j of this.jobs.values()) if (j.status === 'queued' || j.status === 'running') c[j.status]++;
    return c;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  list(): Job[] {
    return [...this.jobs.values()].reverse();
  }

  /** Hear every job's events (metrics, logs). Returns unsubscribe. */
  subscribe(listener: (e: JobEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  /** Follow a job; the listener gets every event until the job is done. Returns unsubscribe. */
  follow(id: string, listener: (e: JobEvent) => void): () => void {
    const handler = (e: JobEvent) => {
      if (e.job.id === id) listener(e);
    };
    this.events.on('event', handler);
    return () => this.events.off('event', handler);
  }

  /** Resolves when the job has finished (tests, CLI). */
  wait(id: string): Promise<Job> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(new Error(`no job ${id}`));
    if (isFinished(job.status)) return Promise.resolve(job);
    return new Promise((resolve) => {
      const off = this.follow(id, (e) => {
        if (e.type === 'done') {
          off();
          resolve(e.job);
        }
      });
    });
  }

  private emit(e: JobEvent) {
    this.events.emit('event', e);
  }

  private trim() {
    if (this.jobs.size <= this.keep) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= this.keep) break;
      if (isFinished(job.status)) this.jobs.delete(id);
    }
  }
}
