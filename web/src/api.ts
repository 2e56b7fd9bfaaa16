/**
 * The dashboard's only way to the data: the HTTP API. Problems (RFC 9457) become ApiError.
 *
 * Known debt (issue 14, item 2): the response types here and in each page (Report, Budget,
 * ReportRow, Usage, Waste, PlanResult, SimResult, ForecastResult, RunSummary, Job, the upload
 * result, the list of simulation policies…) are declared by hand, copies of what the routes in
 * src/adapters/http/routes send. They should be generated from the routes' schemas once each
 * route has one, so a server change breaks the web build instead of a page.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  issues?: { path: string; message: string; line?: number }[];
  hint?: string;
}

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

export interface Job<R = unknown> {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: { done: number; total: number; label: string };
  result?: R;
  error?: Problem;
}

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
