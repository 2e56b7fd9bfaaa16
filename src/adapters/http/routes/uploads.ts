/**
 * Uploads for ingest: the file is streamed into the workspace (never elsewhere), its size and
 * type checked before anything parses it, then the matching ingest runs as a job.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Progress } from '../../../app/ports.js';
import { costAndRecord, costResultToJson } from '../../../app/cost.js';
import { InvalidInput } from '../../../core/errors.js';
import { scenarioOffLoop } from '../documents.js';
import { deliveryId, ingestFocus } from '../../../app/billing.js';
import { focusSource } from '../../importers/focus-thread.js';
import type { RouteContext } from '../server.js';
import { sendProblem } from '../server.js';
import { HttpProblem, problem } from '../problem.js';
import { confine } from '../security.js';
import { checkYamlShape, MAX_YAML_BYTES } from '../limits.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';
import { readFile } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { detect as detectTelemetry, ingestNvidiaSmi } from '../../../app/telemetry.js';
import { hostFromPath, telemetryIo } from '../../importers/telemetry-io.js';

/** What an uploaded file can be, tried in order; the first whose detect() accepts it runs. */
export interface UploadKind {
  name: string;
  extensions: string[];
  detect(head: string, ext: string): boolean;
  /** `name`: the uploaded file's own name, what the records and messages call it. */
  run(ctx: RouteContext, path: string, progress: Progress, fields: Record<string, string>, name: string): Promise<unknown>;
}

/**
 * Bad input in an upload named by the file's own name: the importers name the path they read
 * (the workspace's uploads folder and a generated name), which is neither the user's file nor
 * something a client should see.
 */
async function asUploaded<T>(path: string, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof InvalidInput)) throw e;
    const forms = [...new Set([path, relative(process.cwd(), path), basename(path)])].filter(Boolean).sort((a, b) => b.length - a.length);
    const named = (t: string) => forms.reduce((acc, f) => acc.split(f).join(name), t);
    const out = new InvalidInput(named(e.message), e.issues.map((i) => ({ ...i, message: named(i.message), ...(i.file !== undefined && { file: named(i.file) }), ...(i.found !== undefined && { found: named(i.found) }) })), e.hint === undefined ? undefined : named(e.hint));
    throw out;
  }
}

/** The header of a CSV sample, split on commas (enough to recognise nvidia-smi's). */
const csvHeader = (head: string) => (head.split(/\r?\n/)[0] ?? '').split(',').map((c) => c.trim());

/** nvidia-smi options from form fields, checked as the CLI checks its flags. */
function nvidiaSmiOptions(fields: Record<string, string>): { host?: string; utcOffsetMinutes?: number } {
  const offset = fields.utcOffsetMinutes === undefined || fields.utcOffsetMinutes === '' ? undefined : Number(fields.utcOffsetMinutes);
  if (offset !== undefined && !Number.isInteger(offset)) throw new InvalidInput('utcOffsetMinutes must be whole minutes', [{ path: 'utcOffsetMinutes', message: 'expected an integer', found: fields.utcOffsetMinutes }]);
  return { ...(fields.host && { host: fields.host }), ...(offset !== undefined && { utcOffsetMinutes: offset }) };
}

/**
 * An nvidia-smi log's host, as a local ingest takes it: the `host` field, else the uploaded file's
 * name without extensions (node-a.csv.gz → node-a), never the generated name it is stored under,
 * so GPU 0 of two hosts uploaded one after the other never collide. A hostname column still wins.
 */
function withHost(up: { filename: string; fields: Record<string, string> }): Record<string, string> {
  return up.fields.host ? up.fields : { ...up.fields, host: hostFromPath(basename(up.filename.replace(/\\/g, '/'))) };
}

async function ingestTelemetryUpload(ctx: RouteContext, path: string, progress: Progress, fields: Record<string, string>) {
  const r = await ingestNvidiaSmi(ctx.telemetry, ctx.clock, telemetryIo, path, progress, nvidiaSmiOptions(fields));
  return { kind: 'nvidia-smi', status: r.created ? 'ingested' : 'already-ingested', telemetry: r };
}

export const uploadKinds: UploadKind[] = [
  {
    name: 'focus',
    extensions: ['.csv', '.gz', '.parquet'],
    detect: (head, ext) => ext === '.parquet' || ext === '.gz' || (/BilledCost/.test(head) && /ChargePeriodStart/.test(head)),
    async run(ctx, path, progress, fields, name) {
      const r = await asUploaded(path, name, async () => ingestFocus(ctx.billing, ctx.clock, path, await focusSource(path, { thread: 'when-large' }), { name, ...(fields.currency && { currency: fields.currency }), ...(fields.delivery && { delivery: deliveryId(fields.delivery, 'delivery') }) }, progress));
      return { kind: 'focus', status: r.status, file: { ...r.file, path: r.file.path.split(/[\\/]/).pop() }, totals: r.totals, replaced: r.replaced, notes: r.notes };
    },
  },
  {
    name: 'scenario',
    extensions: ['.yaml', '.yml', '.json'],
    detect: (head, ext) => ['.yaml', '.yml', '.json'].includes(ext) && /resources/.test(head),
    async run(ctx, path, progress, _fields, name) {
      progress.start(2, 'scenario');
      // The same YAML limits as a request body, and read on a parse thread when large.
      const text = await readFile(path, 'utf8');
      checkYamlShape(text, 'upload');
      const scenario = await scenarioOffLoop(ctx.parsePool, { text, file: name }, Buffer.byteLength(text), { maxQueued: Infinity });
      progress.tick(1);
      const r = await costAndRecord(ctx.store, ctx.clock, scenario, text);
      progress.tick(2);
      return { kind: 'scenario', scenarioId: r.scenarioId, reportId: r.reportId, report: costResultToJson(r) };
    },
  },
  {
    name: 'nvidia-smi',
    extensions: ['.csv', '.log', '.txt'],
    detect: (head) => detectTelemetry(csvHeader(head)) === 'nvidia-smi',
    run: ingestTelemetryUpload,
  },
];

const TEXT_OR_KNOWN_BINARY = (buf: Buffer): 'text' | 'gzip' | 'parquet' | 'binary' => {
  if (buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
  if (buf.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (buf.includes(0)) return 'binary';
  try {
    // A cut in the middle of a multi-byte character at the end of the sample is fine.
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, Math.max(0, buf.length - 4)));
    return 'text';
  } catch {
    return 'binary';
  }
};

/** A malformed or cut-off form is the client's fault (400); the multipart limits keep their own status. */
function brokenForm(e: unknown): unknown {
  if (typeof (e as { statusCode?: unknown }).statusCode === 'number') return e;
  return new HttpProblem(400, 'bad-request', 'Bad request', `the upload is not a complete multipart/form-data body: ${(e as Error).message}`, 'Send the file in a multipart field named "file".');
}

export const uploadRoutes: RegisterRoutes = (app, ctx) => {
  app.post('/api/uploads', {
    schema: {
      tags: ['ingest'],
      summary: 'Upload a file (multipart/form-data, field "file") and ingest it as a job',
      description: `Accepted kinds: ${uploadKinds.map((k) => `${k.name} (${k.extensions.join(', ')})`).join('; ')}. Fields before the file part: kind, currency (FOCUS without BillingCurrency), delivery (FOCUS: the export run this file is a part of; parts uploaded under one delivery add up and never restate one another), host and utcOffsetMinutes (nvidia-smi). Follow the job at /api/jobs/{id}/events.`,
      body: {
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              // Streamed to disk by the handler (size and type checked as it arrives), not parsed up front.
              'x-streamed': true,
              properties: { file: { type: 'string', contentMediaType: 'application/octet-stream', description: `the file; its name's extension says what it is (at most ${ctx.maxUploadBytes} bytes)` } },
            },
          },
        },
      },
      response: { 202: jobSchema, ...problems(400, 403, 413, 415, 422) },
    },
  }, async (req, reply) => {
    const up = await receiveUpload(req, reply, ctx, uploadKinds.flatMap((k) => k.extensions));
    if (!up) return reply;
    const { path, text, ext } = up;
    const fields = withHost(up);
    const part = { filename: up.filename };
    if (fields.kind !== undefined && !uploadKinds.some((k) => k.name === fields.kind)) {
      await rm(path, { force: true });
      throw new InvalidInput(`kind must be one of ${uploadKinds.map((k) => k.name).join(', ')}, found "${fields.kind}"`, [{ path: 'kind', message: 'unknown kind', found: fields.kind }]);
    }
    if (fields.delivery !== undefined) {
      try {
        deliveryId(fields.delivery, 'delivery');
      } catch (e) {
        await rm(path, { force: true });
        throw e;
      }
    }
    const kind = fields.kind !== undefined ? uploadKinds.find((k) => k.name === fields.kind) : uploadKinds.find((k) => k.extensions.includes(ext) && k.detect(text, ext)) ?? uploadKinds.find((k) => k.detect(text, ext));
    if (!kind) {
      await rm(path, { force: true });
      return sendProblem(reply, problem(422, 'unknown-kind', 'Unrecognised file', `${part.filename}: its content matches none of ${uploadKinds.map((k) => k.name).join(', ')}.`));
    }
    // The upload is only the job's input: what it holds is in the store once ingested, and a failed
    // ingest is reported through the job. Either way the file goes.
    if (kind.name === 'scenario' && (await stat(path)).size > MAX_YAML_BYTES) {
      await rm(path, { force: true });
      return sendProblem(reply, problem(413, 'too-large', 'Upload too large', `${part.filename}: a scenario may be at most ${MAX_YAML_BYTES} bytes of YAML or JSON.`));
    }
    const job = ctx.jobs.submit(`ingest:${kind.name}`, async (progress) => {
      try {
        return await kind.run(ctx, path, progress, fields, basename(up.filename.replace(/\\/g, '/')));
      } finally {
        await rm(path, { force: true });
      }
    });
    return reply.code(202).send(job);
  });

  app.post('/api/gpus/telemetry', {
    schema: {
      tags: ['gpus'],
      summary: 'Upload an nvidia-smi CSV log (multipart/form-data: optional fields host, utcOffsetMinutes, then the file in "file") and ingest it as a job',
      description: 'The same importer as `penny gpu ingest FILE`: fields host (for GPUs without a UUID column) and utcOffsetMinutes (the host clock\'s offset from UTC) come before the file part. Follow the job at /api/jobs/{id}/events.',
      consumes: ['multipart/form-data'],
      response: { 202: jobSchema, ...problems(400, 403, 413, 415, 422) },
    },
  }, async (req, reply) => {
    const up = await receiveUpload(req, reply, ctx, ['.csv', '.log', '.txt']);
    if (!up) return reply;
    // A gzipped log is checked by the importer as it reads (its header is not in the sample).
    if (up.ext !== '.gz' && detectTelemetry(csvHeader(up.text)) !== 'nvidia-smi') {
      await rm(up.path, { force: true });
      return sendProblem(reply, problem(422, 'unknown-kind', 'Not an nvidia-smi log', `${up.filename}: the header is not nvidia-smi --query-gpu=… --format=csv output (it needs timestamp, index and utilization.gpu columns).`));
    }
    try {
      nvidiaSmiOptions(up.fields);
    } catch (e) {
      await rm(up.path, { force: true });
      throw e;
    }
    const job = ctx.jobs.submit('ingest:nvidia-smi', async (progress) => {
      try {
        return await ingestTelemetryUpload(ctx, up.path, progress, withHost(up));
      } finally {
        await rm(up.path, { force: true });
      }
    });
    return reply.code(202).send(job);
  });
};

/** Read a gzip file through to its end; the decompressor's error if it is cut short or corrupt. */
async function gzipProblem(path: string): Promise<string | undefined> {
  try {
    await pipeline(createReadStream(path), createGunzip(), new Writable({ write: (_c, _e, cb) => cb() }));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Stream a multipart file (field "file") into the workspace's uploads folder, checking its type
 * and size; form fields sent before the file come back as text. Sends the problem and returns
 * undefined when the upload is refused.
 */
async function receiveUpload(req: FastifyRequest, reply: FastifyReply, ctx: RouteContext, known: string[]): Promise<{ path: string; filename: string; ext: string; text: string; fields: Record<string, string> } | undefined> {
  const refuse = (p: ReturnType<typeof problem>) => {
    sendProblem(reply, p);
    return undefined;
  };
  if (!req.isMultipart()) return refuse(problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the file as multipart/form-data in a field named "file".'));
  let part: Awaited<ReturnType<typeof req.file>>;
  try {
    part = await req.file();
  } catch (e) {
    throw brokenForm(e);
  }
  if (!part) throw new InvalidInput('no file in the upload', [{ path: 'file', message: 'missing' }], 'Send the file in a multipart field named "file".');
  const ext = extname(part.filename).toLowerCase();
  if (!known.includes(ext) && !known.includes(extname(part.filename.replace(/\.gz$/i, '')).toLowerCase())) {
    part.file.resume();
    return refuse(problem(415, 'unsupported-media-type', 'Unsupported file type', `${part.filename}: files of type "${ext || '(none)'}" cannot be ingested; accepted: ${known.join(', ')}.`));
  }
  const dir = confine(ctx.workspaceDir, 'uploads');
  await mkdir(dir, { recursive: true });
  const path = confine(dir, `${randomUUID()}${ext}`);
  try {
    await pipeline(part.file, createWriteStream(path));
  } catch (e) {
    // The client went away or the form broke off mid-file: nothing is kept.
    await rm(path, { force: true });
    throw brokenForm(e);
  }
  if (part.file.truncated) {
    await rm(path, { force: true });
    return refuse(problem(413, 'too-large', 'Upload too large', `${part.filename} is larger than the limit of ${ctx.maxUploadBytes} bytes.`));
  }
  const fh = await open(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  await fh.close();
  const sample = head.subarray(0, bytesRead);
  const type = bytesRead === 0 ? 'empty' : TEXT_OR_KNOWN_BINARY(sample);
  if (type === 'empty' || type === 'binary') {
    await rm(path, { force: true });
    return refuse(problem(415, 'unsupported-media-type', 'Not a readable file', `${part.filename} is ${type === 'empty' ? 'empty' : 'binary data, not text, gzip or Parquet'}.`));
  }
  if (type === 'gzip') {
    // A cut or corrupt gzip stream is bad input, answered now (it once ended the server).
    const bad = await gzipProblem(path);
    if (bad) {
      await rm(path, { force: true });
      return refuse(problem(422, 'invalid-input', 'Unreadable gzip file', `${part.filename}: the gzip stream is cut short or corrupt (${bad}). The file looks truncated: upload it again.`));
    }
  }
  const text = type === 'text' ? sample.toString('utf8') : '';
  // Fields sent before the file part (kind, currency, host, utcOffsetMinutes).
  const fields: Record<string, string> = {};
  for (const [name, f] of Object.entries(part.fields)) {
    const v = Array.isArray(f) ? f[0] : f;
    if (v && v.type === 'field' && name !== 'file') fields[name] = String(v.value);
  }
  return { path, filename: part.filename, ext, text, fields };
}

export function uploadsDir(ctx: RouteContext): string {
  return join(ctx.workspaceDir, 'uploads');
}
