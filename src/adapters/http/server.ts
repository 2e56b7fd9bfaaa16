/**
 * The HTTP API and the dashboard's static files (Fastify). Routes call the same app use cases as
 * the CLI; every route declares its querystring, parameters and body, which Fastify validates and
 * the OpenAPI document shows; domain bodies are then validated by the CLI's own zod schemas; errors
 * are RFC 9457 problems.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import fastifyMultipart from '@fastify/multipart';
import fastifyHelmet from '@fastify/helmet';
import Ajv2020 from 'ajv/dist/2020.js';
import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import { JobRunner } from '../../app/jobs.js';
import { installMetrics } from './metrics.js';
import { WorkerPool } from '../jobs/pool.js';
import { createParsePool, type ParsePool } from './documents.js';
import { JobAdmission, MAX_QUEUED_JOBS } from './admission.js';
import type { Clock, Store } from '../../app/ports.js';
import type { BillingStore } from '../../app/billing-ports.js';
import type { TelemetryStore } from '../../app/telemetry-ports.js';
import type { SolverFactory, Workspace } from '../../app/workspace.js';
import { HttpProblem, problem, redactProblem, toProblem, type Problem } from './problem.js';
import { isLoopback, tokenMatches } from './security.js';
import { BODY_AJV_OPTIONS, checkYamlShape, YAML_TYPES, DEFAULT_MAX_BODY, HEADERS_TIMEOUT_MS, jsonTextDepth, KEEP_ALIVE_TIMEOUT_MS, MAX_NESTING, REQUEST_TIMEOUT_MS } from './limits.js';
import { routes } from './routes/index.js';
import { problemSchema } from './routes/types.js';
import { VERSION } from '../../app/version.js';

export { DEFAULT_MAX_BODY } from './limits.js';

export interface ServerOptions {
  /** The stores, clock and solver every route uses (built by the composition root). */
  workspace: Workspace;
  workspaceDir: string;
  /** When set, every request must carry it (Bearer header, penny_token cookie or ?token=). */
  token?: string;
  readOnly?: boolean;
  /** Folder of the built dashboard (index.html); the API works without it. */
  webRoot?: string;
  maxBodyBytes?: number;
  maxUploadBytes?: number;
  /** The address the server is bound to; requests must name it (or loopback) in Host. */
  host?: string;
  /** More names clients may use in Host (a DNS name in front of the server, a proxy's name). */
  allowedHosts?: string[];
  /** Time a client has to send a whole request; its headers alone get HEADERS_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /**
   * Request logs (Fastify's pino logger, one JSON line per request with its id): true for info to
   * stderr, or a level and a stream. Secrets never reach them (see redactedUrl).
   */
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  /** Threads for plan and simulation jobs (default: one per core but one, at least one). */
  workers?: number;
  /** Jobs that may wait for a job thread (MAX_QUEUED_JOBS by default); more are refused with 503. */
  maxQueuedJobs?: number;
}

export interface RouteContext {
  workspace: Workspace;
  /** The workspace's parts, for short route code. */
  store: Store;
  billing: BillingStore;
  telemetry: TelemetryStore;
  solver: SolverFactory;
  clock: Clock;
  jobs: JobRunner;
  /** Where plans and simulations run, off the event loop. */
  pool: WorkerPool;
  /** Where large request documents are parsed and validated, off the event loop and not behind solves. */
  parsePool: ParsePool;
  /** Requests that will queue a job are admitted here first (503 while too many wait). */
  admission: JobAdmission;
  workspaceDir: string;
  readOnly: boolean;
  maxUploadBytes: number;
  maxBodyBytes: number;
}

export const DEFAULT_MAX_UPLOAD = 512 * 1024 * 1024;

export { YAML_TYPES } from './limits.js';

/** The URL as logged: a token in the query (the dashboard's first link) is never written out. */
export function redactedUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|api_key)=)[^&#]*/gi, '$1[redacted]');
}

function loggerOptions(o: ServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!o) return false;
  const level = o === true ? 'info' : (o.level ?? 'info');
  return {
    level,
    ...(o !== true && o.stream && { stream: o.stream }),
    // Headers are not logged at all; should a line ever carry them, these are censored.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
        id: req.id,
        method: req.method,
        url: redactedUrl(req.url),
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
    },
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `Host: [::1]:8000` → `::1`; `Example.COM.` → `example.com`. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']')) : h.split(':').length === 2 ? h.split(':')[0]! : h;
  return name.replace(/\.$/, '');
}

/**
 * Which Host names this server answers to. A DNS-rebinding page reaches the server under its own
 * name, so any name not listed is refused; IP literals are safe when bound to every interface
 * because a page that uses one is on that origin already.
 */
export function hostAllowed(header: string | undefined, bound: string | undefined, extra: string[]): boolean {
  if (!header) return false;
  const name = hostName(header);
  if (isLoopback(name)) return true;
  if (extra.some((h) => hostName(h) === name)) return true;
  const b = bound === undefined ? '127.0.0.1' : hostName(bound);
  if (name === b) return true;
  const wildcard = b === '' || b === '0.0.0.0' || b === '::';
  return wildcard && (isIP(name) !== 0 || name === hostname().toLowerCase());
}

/** A write is allowed only from the page's own origin (or from a client that is not a browser). */
export function crossSiteReason(req: FastifyRequest): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return `it comes from another site (Sec-Fetch-Site: ${site})`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `its Origin ${JSON.stringify(origin)} is not a URL`;
  }
  if (!originHost || originHost !== (req.headers.host ?? '').toLowerCase()) return `its Origin ${origin} is not this server`;
  return undefined;
}

/** operationId from method and path: GET /api/jobs/:id/events → getApiJobsByIdEvents. */
function operationIdOf(method: string, url: string): string {
  const words = url.split('/').filter(Boolean).map((p) => (p.startsWith(':') ? `by-${p.slice(1)}` : p));
  return [method.toLowerCase(), ...words.flatMap((w) => w.split(/[-_.]/))].map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

const problemContent = (status: number) => ({ description: `problem details (${status})`, content: { 'application/problem+json': { schema: problemSchema } } });

/** Every route documents the problems the server itself may answer with, as problem+json. */
function documentRoute(route: RouteOptions, token: boolean): void {
  const schema = (route.schema ??= {}) as Record<string, unknown> & { response?: Record<string, unknown>; hide?: boolean };
  if (schema.hide) return;
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  schema.operationId ??= operationIdOf(method, route.url);
  const response = (schema.response ??= {});
  const codes = new Set<number>([400, 421]);
  if (token) codes.add(401);
  if (schema.querystring || schema.params || schema.body) codes.add(422);
  if (!SAFE_METHODS.has(method)) for (const c of [403, 413, 415, 422]) codes.add(c);
  for (const [code, r] of Object.entries(response)) if (Number(code) >= 400 && !(r as { content?: unknown }).content) codes.add(Number(code));
  for (const c of codes) response[c] = problemContent(c);
}

export async function buildServer(opts: ServerOptions): Promise<{ app: FastifyInstance; jobs: JobRunner }> {
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    bodyLimit: maxBodyBytes,
    return503OnClosing: true,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // No idle-socket time-out: event streams may be quiet for long; slow requests are bounded by
    // requestTimeout and headersTimeout instead.
    connectionTimeout: 0,
    // Node enforces both time-outs on a sweep; its default period (30 s) would stretch them.
    http: { headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs), connectionsCheckingInterval: Math.max(250, Math.min(10_000, requestTimeoutMs / 4)) },
    // A caller's own request id (a proxy's) is kept when it is a plain token; otherwise ours.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // The router's own refusals (a path parameter over its 100 characters, a malformed
    // percent-encoding) as problems like every other error, without echoing the refused text.
    frameworkErrors: (err, _req, reply) => {
      const long = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendProblem(reply, long
        ? problem(414, 'uri-too-long', 'URI too long', 'A path parameter is longer than 100 characters.', { hint: 'Ids and names in paths are at most 100 characters.' })
        : problem(400, 'bad-request', 'Bad request', 'The URL is not valid: a malformed percent-encoding or route constraint.'));
    },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  const allowedHosts = opts.allowedHosts ?? [];

  // The "see the server log" in a 500 is true: the failure and its stack are logged here.
  const logError = (e: unknown, where: string) => app.log.error({ err: e }, where);
  const jobs = new JobRunner(opts.workspace.clock, (e) => {
    const p = redactProblem(toProblem(e));
    if (p.status >= 500) logError(e, 'job failed');
    return { title: p.title, status: p.status, detail: p.detail, ...(p.issues && { issues: p.issues }) };
  });

  // Querystrings and parameters are strings on the wire: coerce ("3" → 3, one "by" → "by"), but a
  // repeated parameter where one is declared is an error. Bodies are never coerced.
  const Ajv = Ajv2020 as unknown as typeof Ajv2020.default;
  const ajvQuery = new Ajv({ ...BODY_AJV_OPTIONS, coerceTypes: 'array', useDefaults: true, removeAdditional: false });
  const ajvBody = new Ajv(BODY_AJV_OPTIONS);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    // Multipart bodies are streamed by the handler; their schema only documents the form.
    if ((schema as { 'x-streamed'?: boolean })['x-streamed']) return () => true;
    // Bodies a route reads on a parse thread (POST /api/serving) are checked there, with this schema.
    if ((schema as { 'x-read-off-loop'?: boolean })['x-read-off-loop']) return () => true;
    const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
    return (httpPart === 'body' ? ajvBody : ajvQuery).compile(rest);
  });
  // Responses are documented, not filtered: JSON.stringify keeps every field the use case returns.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // Only content types a browser cannot send cross-site without a preflight are parsed for writes:
  // text/plain and form encodings are refused (415), so a page on another site cannot post here.
  app.removeAllContentTypeParsers();
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (jsonTextDepth(text) > MAX_NESTING) {
      done(new HttpProblem(422, 'invalid-input', 'The input is not valid', `request body: JSON nested more than ${MAX_NESTING} levels deep`, 'Penny documents are a few levels deep.'), undefined);
      return;
    }
    defaultJson(req, text, done);
  });
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    try {
      checkYamlShape(body as string, 'request body');
      done(null, body);
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!hostAllowed(req.headers.host, opts.host, allowedHosts)) {
      return sendProblem(reply, problem(421, 'unknown-host', 'Unknown host', `This server does not answer to the host name ${JSON.stringify(req.headers.host ?? '')}.`, { hint: 'Use the address printed at start, or add the name with --allowed-host.' }));
    }
    if (!SAFE_METHODS.has(req.method)) {
      const why = crossSiteReason(req);
      if (why) return sendProblem(reply, problem(403, 'cross-site', 'Cross-site request refused', `${req.method} ${req.url.split('?')[0]} was refused because ${why}.`, { hint: 'Changes can be made only from the dashboard on this server or from a non-browser client.' }));
    }
    if (!opts.token) return;
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const rawCookie = /(?:^|;\s*)penny_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    let cookie: string | undefined;
    try {
      cookie = rawCookie === undefined ? undefined : decodeURIComponent(rawCookie);
    } catch {
      cookie = undefined; // A malformed cookie is no token, not a server error.
    }
    const q = (req.query as Record<string, unknown> | undefined)?.token;
    const query = typeof q === 'string' ? q : undefined;
    if (tokenMatches(bearer, opts.token) || tokenMatches(cookie, opts.token)) return;
    if (tokenMatches(query, opts.token)) {
      // The printed URL carries the token once; the browser keeps it as a same-site cookie so the
      // dashboard's own requests (scripts, API calls, event streams) are authorised too.
      reply.header('set-cookie', `penny_token=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`);
      return;
    }
    return sendProblem(reply, problem(401, 'unauthorized', 'Token required', 'This server requires a token: send "Authorization: Bearer <token>" (the token is PENNY_TOKEN or the one printed at start).'));
  });

  app.addHook('preHandler', async (req, reply) => {
    if (opts.readOnly && !SAFE_METHODS.has(req.method)) {
      return sendProblem(reply, problem(403, 'read-only', 'Read-only server', `${req.method} ${req.url.split('?')[0]} would change the workspace, and this server runs with --read-only.`));
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err);
    // The client gets a detail without paths or SQL; the log keeps the real error.
    if (p.status >= 500 && p.status !== 503) req.log.error(err);
    return sendProblem(reply, { ...redactProblem(p), instance: req.url.split('?')[0] });
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(404, 'not-found', 'Not found', `No route for ${req.method} ${req.url.split('?')[0]}.`, { instance: req.url.split('?')[0] })));

  await app.register(fastifyHelmet, {
    // The dashboard is one script and one style sheet from this origin: nothing inline, no eval.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        // ECharts tooltips carry style attributes; attributes cannot run script.
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Plain HTTP on loopback: HSTS would be ignored or, behind a TLS proxy, is the proxy's call.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });

  app.addHook('onRoute', (route) => documentRoute(route, Boolean(opts.token)));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Penny API', version: VERSION, description: 'The full cost of AI compute, planned, watched and cut. Errors are RFC 9457 problem details (application/problem+json).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: opts.token ? [{ bearer: [] }] : [],
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, validatorUrl: null },
    // Swagger UI sets inline styles from script; it gets that on /docs only.
    staticCSP: "default-src 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  });
  await app.register(fastifyMultipart, { limits: { fileSize: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD, files: 1, fields: 10, parts: 20, headerPairs: 100 } });

  const pool = new WorkerPool(opts.workers);
  const parsePool = createParsePool();
  app.addHook('onClose', async () => {
    await Promise.all([pool.close(), parsePool.close()]);
  });
  const ctx: RouteContext = {
    workspace: opts.workspace,
    store: opts.workspace.store,
    billing: opts.workspace.billing,
    telemetry: opts.workspace.telemetry,
    solver: opts.workspace.solver,
    clock: opts.workspace.clock,
    jobs,
    pool,
    parsePool,
    admission: new JobAdmission(jobs, opts.maxQueuedJobs ?? MAX_QUEUED_JOBS),
    workspaceDir: opts.workspaceDir,
    readOnly: opts.readOnly ?? false,
    maxUploadBytes: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD,
    maxBodyBytes,
  };
  for (const register of routes) await app.register(async (scope) => register(scope, ctx));
  installMetrics(app, {
    jobs,
    pool,
    parsePool,
    billing: () => opts.workspace.billing,
    telemetrySamples: () => opts.workspace.telemetry.sampleCount(),
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (opts.webRoot && existsSync(opts.webRoot)) {
    await app.register(fastifyStatic, { root: opts.webRoot, prefix: '/', index: 'index.html', wildcard: false });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, problem(404, 'no-dashboard', 'Dashboard not built', 'The dashboard files are missing; run `npm run build`. The API is at /api and described at /openapi.json.')),
    );
  }
  return { app, jobs };
}
