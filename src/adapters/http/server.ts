/**
 * The HTTP API and the dashboard's static files (Fastify). Routes call the same app use cases as
 * the CLI; request bodies are validated with the same zod schemas; errors are RFC 9457 problems.
 */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import fastifyMultipart from '@fastify/multipart';
import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import { JobRunner } from '../../app/jobs.js';
import { SqlBillingStore } from '../store/sql-billing-store.js';
import { SqlStore } from '../store/sql-store.js';
import { SqlTelemetryStore } from '../store/sql-telemetry-store.js';
import { installMetrics } from './metrics.js';
import { WorkerPool } from '../jobs/pool.js';
import type { Clock, Store } from '../../app/ports.js';
import { problem, toProblem, type Problem } from './problem.js';
import { tokenMatches } from './security.js';
import { routes } from './routes/index.js';
import { VERSION } from '../../app/version.js';

export interface ServerOptions {
  store: Store;
  clock: Clock;
  workspaceDir: string;
  /** When set, every request must carry it (Bearer header, penny_token cookie or ?token=). */
  token?: string;
  readOnly?: boolean;
  /** Folder of the built dashboard (index.html); the API works without it. */
  webRoot?: string;
  maxBodyBytes?: number;
  maxUploadBytes?: number;
  /**
   * Request logs (Fastify's pino logger, one JSON line per request with its id): true for info to
   * stderr, or a level and a stream. Secrets never reach them (see redactedUrl).
   */
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  /** Threads for plan and simulation jobs (default: one per core but one, at least one). */
  workers?: number;
}

export interface RouteContext {
  store: Store;
  clock: Clock;
  jobs: JobRunner;
  /** Where plans and simulations run, off the event loop. */
  pool: WorkerPool;
  workspaceDir: string;
  readOnly: boolean;
  maxUploadBytes: number;
}

export const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
export const DEFAULT_MAX_UPLOAD = 512 * 1024 * 1024;

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

export async function buildServer(opts: ServerOptions): Promise<{ app: FastifyInstance; jobs: JobRunner }> {
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    bodyLimit: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
    return503OnClosing: true,
    // A caller's own request id (a proxy's) is kept when it is a plain token; otherwise ours.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  const jobs = new JobRunner(opts.clock, (e) => {
    const p = toProblem(e);
    // The "see the server log" in a 500 is true: the failure and its stack are logged here.
    if (p.status >= 500) app.log.error({ err: e }, 'job failed');
    return { title: p.title, status: p.status, detail: p.detail, ...(p.issues && { issues: p.issues }) };
  });

  // Bodies are validated by our zod schemas in the handlers (the CLI's own), not by Fastify's
  // ajv: route schemas exist to describe the API in the OpenAPI document.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const type of ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }

  app.addHook('onRequest', async (req, reply) => {
    if (!opts.token) return;
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const cookie = /(?:^|;\s*)penny_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const query = (req.query as Record<string, string> | undefined)?.token;
    if (tokenMatches(bearer, opts.token) || tokenMatches(cookie && decodeURIComponent(cookie), opts.token)) return;
    if (tokenMatches(query, opts.token)) {
      // The printed URL carries the token once; the browser keeps it as a same-site cookie so the
      // dashboard's own requests (scripts, API calls, event streams) are authorised too.
      reply.header('set-cookie', `penny_token=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`);
      return;
    }
    return sendProblem(reply, problem(401, 'unauthorized', 'Token required', 'This server requires a token: send "Authorization: Bearer <token>" (the token is PENNY_TOKEN or the one printed at start).'));
  });

  app.addHook('preHandler', async (req, reply) => {
    if (opts.readOnly && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      return sendProblem(reply, problem(403, 'read-only', 'Read-only server', `${req.method} ${req.url.split('?')[0]} would change the workspace, and this server runs with --read-only.`));
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err);
    if (p.status >= 500) req.log.error(err);
    return sendProblem(reply, { ...p, instance: req.url.split('?')[0] });
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(404, 'not-found', 'Not found', `No route for ${req.method} ${req.url.split('?')[0]}.`, { instance: req.url.split('?')[0] })));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Penny API', version: VERSION, description: 'The full cost of AI compute, planned, watched and cut. Errors are RFC 9457 problem details.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: opts.token ? [{ bearer: [] }] : [],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  await app.register(fastifyMultipart, { limits: { fileSize: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD, files: 1, fields: 10 } });

  const pool = new WorkerPool(opts.workers);
  app.addHook('onClose', async () => pool.close());
  const ctx: RouteContext = {
    store: opts.store,
    clock: opts.clock,
    jobs,
    pool,
    workspaceDir: opts.workspaceDir,
    readOnly: opts.readOnly ?? false,
    maxUploadBytes: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD,
  };
  for (const register of routes) await app.register(async (scope) => register(scope, ctx));
  installMetrics(app, {
    jobs,
    pool,
    ...(opts.store instanceof SqlStore && { billing: () => new SqlBillingStore((opts.store as SqlStore).session), telemetrySamples: () => new SqlTelemetryStore((opts.store as SqlStore).session).sampleCount() }),
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
