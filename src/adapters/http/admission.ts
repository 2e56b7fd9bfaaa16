/**
 * How many requests may wait for a job thread. Each queued plan, simulation, forecast or serving
 * comparison holds its input in memory until a thread takes it (a simulation's 10 MB jobs CSV is
 * some 100 MB of heap once read), and a client can post faster than one thread works: 30 such
 * simulations posted at once took the heap to 2.9 GB, health unanswered for over a minute, and
 * more would end the process. A request is admitted before its body is read, counted (with its
 * body's size) until its job is queued, it is refused, or its client goes away; while too many
 * wait, or their bodies add up to too much, it is refused with 503 and Retry-After. The first
 * request is always admitted, so a single request up to its route's body limit is never refused.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JobRunner } from '../../app/jobs.js';
import { problem, type Problem } from './problem.js';

/** Jobs waiting for a job thread, with the requests being read that will queue one. */
export const MAX_QUEUED_JOBS = 64;
/** Their request bodies together (a waiting job's memory grows with its input). */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** Seconds a refused client is asked to wait (Retry-After). */
export const RETRY_AFTER_S = 10;

interface Place {
  bytes: number;
  release: () => void;
}

export class JobAdmission {
  private readonly places = new Map<FastifyRequest, Place>();
  /** Bytes of the jobs queued, by job id (their requests' bodies). */
  private readonly queuedBytes = new Map<string, number>();

  constructor(
    private readonly jobs: JobRunner,
    readonly max = MAX_QUEUED_JOBS,
    readonly maxBytes = MAX_QUEUED_BYTES,
  ) {}

  /** Jobs waiting for a thread and requests that will queue one, and their bodies' bytes. */
  waiting(): { count: number; bytes: number } {
    let bytes = 0;
    for (const [id, b] of this.queuedBytes) {
      if (this.jobs.get(id)?.status === 'queued') bytes += b;
      else this.queuedBytes.delete(id);
    }
    for (const p of this.places.values()) bytes += p.bytes;
    return { count: this.jobs.counts().queued + this.places.size, bytes };
  }

  /** The problem a request of `bytes` gets now; undefined when it may go on. */
  private refusal(bytes: number): Problem | undefined {
    const w = this.waiting();
    if (w.count === 0) return undefined;
    const why = w.count >= this.max ? `${w.count} jobs are already waiting for a job thread (at most ${this.max})` : w.bytes + bytes > this.maxBytes ? `the jobs waiting for a job thread already hold ${w.bytes} bytes of input (at most ${this.maxBytes} together)` : undefined;
    return why === undefined ? undefined : problem(503, 'busy', 'Server busy', `${why}.`, { hint: `Try again in ${RETRY_AFTER_S} s, when one has finished: follow them at /api/jobs, or cancel one with DELETE /api/jobs/{id}.` });
  }

  /**
   * A route's onRequest hook: admit the request (before its body is read) or answer 503 with
   * Retry-After. The place is handed to its job by queued(), or given back when the response closes.
   */
  readonly onRequest = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const declared = Number(req.headers['content-length']);
    const bytes = Number.isFinite(declared) && declared >= 0 ? declared : req.routeOptions.bodyLimit ?? this.maxBytes;
    const refused = this.refusal(bytes);
    if (refused) return reply.code(503).header('retry-after', String(RETRY_AFTER_S)).type('application/problem+json').send({ ...refused, instance: req.url.split('?')[0] });
    const place: Place = { bytes, release: () => this.places.delete(req) };
    this.places.set(req, place);
    reply.raw.once('close', place.release);
    return undefined;
  };

  /** The request's job `jobId` is queued: it now counts as a queued job, with the request's bytes. */
  queued(req: FastifyRequest, jobId: string): void {
    const place = this.places.get(req);
    if (!place) return;
    place.release();
    this.queuedBytes.set(jobId, place.bytes);
  }
}
