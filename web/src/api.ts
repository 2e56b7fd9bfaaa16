/**
 * The dashboard's only way to the data: the HTTP API. Problems (RFC 9457) become ApiError.
 *
 * Every type the API answers with comes from web/src/api-types.gen.ts, generated from the routes'
 * own schemas (npm run gen:api-types), so a server change breaks the web build instead of a page.
 */
import type { paths } from './api-types.gen.js';

type Json<R, C extends number> = R extends { [K in C]: { content: { 'application/json': infer B } } } ? B : never;
/** The body of a route's success answer (200, 201 or 202), as its schema declares it. */
export type ApiResponse<P extends keyof paths, M extends string = 'get'> = paths[P] extends { [K in M]: { responses: infer R } }
  ? [Json<R, 200>] extends [never]
    ? [Json<R, 201>] extends [never]
      ? Json<R, 202>
      : Json<R, 201>
    : Json<R, 200>
  : never;

/** An RFC 9457 problem, as every route declares its errors. */
export type Problem = paths['/api/health']['get']['responses'][400]['content']['application/problem+json'];

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const p: Problem = typeof body === 'object' && body ? (body as Problem) : { type: 'about:blank', title: res.statusText, status: res.status, detail: String(body) };
    throw new ApiError(p);
  }
  return body as T;
}

/** A job as /api/jobs/{id} answers; `R` narrows its result to what the page's kind of job returns. */
export type Job<R = NonNullable<ApiResponse<'/api/jobs/{id}'>['result']>> = Omit<ApiResponse<'/api/jobs/{id}'>, 'result'> & { result?: R };

/** What a recorded run carries as its result: a plan, a forecast or a simulation (by the run's kind). */
export type RunResult = ApiResponse<'/api/runs/{id}'>['result'];
/** What a job returns when it succeeds, by its kind. */
export type JobResult = NonNullable<ApiResponse<'/api/jobs/{id}'>['result']>;

/** Follow a job's Server-Sent Events until it is done. */
export function followJob<R>(id: string, onProgress: (job: Job<R>) => void): Promise<Job<R>> {
  return new Promise((resolve, reject) => {
    const es = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
    es.addEventListener('progress', (e) => onProgress(JSON.parse((e as MessageEvent).data)));
    es.addEventListener('done', (e) => {
      es.close();
      const job = JSON.parse((e as MessageEvent).data) as Job<R>;
      onProgress(job);
      resolve(job);
    });
    es.onerror = () => {
      es.close();
      reject(new Error('lost the connection to the server while following the job'));
    };
  });
}
