/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with
 * type, title, status, detail and, for bad input, the list of issues (field path, line, message).
 */
import { Conflict, Infeasible, InvalidInput, NotFound, PennyError, Unbounded, type Issue } from '../../core/errors.js';
import { StoreError } from '../store/session.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  issues?: Issue[];
  hint?: string;
}

// Problem types are URNs: stable identifiers that promise no web page.
const BASE = 'urn:penny:problem:';

export function problem(status: number, slug: string, title: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `${BASE}${slug}`, title, status, detail, ...extra };
}

/** Map anything thrown by a use case or by Fastify to the problem a client sees. */
export function toProblem(e: unknown): Problem {
  if (e instanceof InvalidInput) return problem(422, 'invalid-input', 'The input is not valid', e.message, { issues: e.issues, ...(e.hint && { hint: e.hint }) });
  if (e instanceof NotFound) return problem(404, 'not-found', 'Not found', e.message, e.hint ? { hint: e.hint } : {});
  if (e instanceof Conflict) return problem(409, 'conflict', 'Conflict', e.message, e.hint ? { hint: e.hint } : {});
  if (e instanceof Infeasible) return problem(422, 'infeasible', 'No feasible solution', [e.message, ...e.detail].join('\n'), e.hint ? { hint: e.hint } : {});
  if (e instanceof Unbounded) return problem(422, 'unbounded', 'The model is unbounded', e.message);
  if (e instanceof PennyError) return problem(400, e.code, 'Bad request', e.message);
  const fe = e as { statusCode?: number; code?: string; message?: string };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const slug = fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413 ? 'too-large' : fe.statusCode === 415 ? 'unsupported-media-type' : 'bad-request';
    const title = slug === 'too-large' ? 'Request body too large' : slug === 'unsupported-media-type' ? 'Unsupported media type' : 'Bad request';
    return problem(fe.statusCode, slug, title, fe.message ?? title);
  }
  if (e instanceof StoreError) return problem(500, 'store', 'Store error', 'The workspace database failed; see the server log.');
  return problem(500, 'internal', 'Internal error', 'Something failed on the server; see the server log.');
}
