/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with
 * type, title, status, detail and, for bad input, the list of issues (field path, line, message).
 * Details never carry server paths or SQL: those go to the log only.
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

/** An HTTP-level refusal raised by the adapter itself (size, media type, origin, host). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

export class PayloadTooLarge extends HttpProblem {
  constructor(message: string, hint?: string) {
    super(413, 'too-large', 'Request body too large', message, hint);
  }
}

export class UnsupportedMediaType extends HttpProblem {
  constructor(message: string, hint?: string) {
    super(415, 'unsupported-media-type', 'Unsupported media type', message, hint);
  }
}

interface FastifyValidationError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

/** `/pools/0/name` in the querystring → `pools[0].name`. */
function pointerToPath(context: string | undefined, pointer: string | undefined, missing: unknown): string {
  const parts = (pointer ?? '').split('/').filter(Boolean);
  if (typeof missing === 'string') parts.push(missing);
  let s = '';
  for (const p of parts) s += /^\d+$/.test(p) ? `[${p}]` : s ? `.${p}` : p;
  return context === 'body' || !context ? s : s || context;
}

/**
 * A schema check's errors (Ajv's) as the problem's detail and issues, the paths as fields
 * (`pools[0].name`): the same whether Fastify checked the part or a parse thread did.
 */
export function validationProblem(where: string, validation: readonly { instancePath?: string; message?: string; params?: Record<string, unknown> }[]): { detail: string; issues: { path: string; message: string }[] } {
  const issues = validation.map((v) => ({ path: pointerToPath(where, v.instancePath, v.params?.missingProperty), message: `${where}: ${v.message ?? 'not valid'}` }));
  return { detail: `${where}: ${issues.map((i) => `${i.path || where} ${i.message.slice(where.length + 2)}`).join('; ')}`, issues };
}

/** Map anything thrown by a use case or by Fastify to the problem a client sees. */
export function toProblem(e: unknown): Problem {
  if (e instanceof HttpProblem) return problem(e.status, e.slug, e.title, e.message, e.hint ? { hint: e.hint } : {});
  if (e instanceof InvalidInput) return problem(422, 'invalid-input', 'The input is not valid', e.message, { issues: e.issues, ...(e.hint && { hint: e.hint }) });
  if (e instanceof NotFound) return problem(404, 'not-found', 'Not found', e.message, e.hint ? { hint: e.hint } : {});
  if (e instanceof Conflict) return problem(409, 'conflict', 'Conflict', e.message, e.hint ? { hint: e.hint } : {});
  if (e instanceof Infeasible) return problem(422, 'infeasible', 'No feasible solution', [e.message, ...e.detail].join('\n'), e.hint ? { hint: e.hint } : {});
  if (e instanceof Unbounded) return problem(422, 'unbounded', 'The model is unbounded', e.message);
  if (e instanceof PennyError) return problem(400, e.code, 'Bad request', e.message);
  if (e instanceof StoreError) return problem(500, 'store', 'Store error', 'The workspace database failed; see the server log.');
  const fe = e as FastifyValidationError;
  if (fe && Array.isArray(fe.validation)) {
    // Schema validation of the querystring, parameters or body: the request parsed but is not valid.
    const { detail, issues } = validationProblem(fe.validationContext ?? 'request', fe.validation);
    return problem(422, 'invalid-input', 'The input is not valid', detail, { issues });
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const slug = fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413 ? 'too-large' : fe.statusCode === 415 ? 'unsupported-media-type' : fe.statusCode === 408 ? 'timeout' : 'bad-request';
    const title = { 'too-large': 'Request body too large', 'unsupported-media-type': 'Unsupported media type', timeout: 'Request timed out', 'bad-request': 'Bad request' }[slug]!;
    return problem(fe.statusCode, slug, title, fe.message ?? title);
  }
  return problem(500, 'internal', 'Internal error', 'Something failed on the server; see the server log.');
}

/**
 * Remove what a client must not learn about the server: absolute paths (replaced by the file's
 * name) and SQL (StoreError appends "in: <sql>"; DuckDB quotes "LINE n: …").
 */
export function redact(text: string): string {
  return text
    .replace(/\n\s*in: [\s\S]*$/, '')
    .replace(/\n?LINE \d+:[\s\S]*$/, '')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][^\\/\s"'`:,;()]+){2,}[\\/]([^\\/\s"'`:,;()]+)/g, '$1');
}

export function redactProblem(p: Problem): Problem {
  return {
    ...p,
    detail: redact(p.detail),
    ...(p.hint && { hint: redact(p.hint) }),
    ...(p.issues && { issues: p.issues.map((i) => ({ ...i, message: redact(i.message), ...(i.file && { file: redact(i.file) }), ...(i.found !== undefined && { found: redact(String(i.found)) }) })) }),
  };
}
