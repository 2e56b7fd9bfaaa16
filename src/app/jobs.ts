/**
 * Long work (an ingest, a plan, a simulation) runs as a job: submit returns at once with an id;
 * status and progress can be read or followed as events. Jobs live in memory for the life of the
 * server process; their results are recorded in the store by the use case itself where relevant.
 */
import { EventEmitter } from 'node:events';
import type { Clock, Progress } from './ports.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

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

  submit<R>(kind: string, work: (progress: Progress) => Promise<R>): Job<R> {
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
    };
    setImmediate(async () => {
      job.status = 'running';
      this.emit({ type: 'progress', job: job as Job });
      try {
        job.result = await work(progress);
        job.status = 'succeeded';
      } catch (e) {
        job.status = 'failed';
        job.error = this.describeError(e);
      }
      job.finishedAt = this.clock.now().toISOString();
      this.emit({ type: 'done', job: job as Job });
    });
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  list(): Job[] {
    return [...this.jobs.values()].reverse();
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
    if (job.status === 'succeeded' || job.status === 'failed') return Promise.resolve(job);
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
      if (job.status === 'succeeded' || job.status === 'failed') this.jobs.delete(id);
    }
  }
}
