import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../server.js';

/** A feature's routes: one module, one line in routes/index.ts. */
export type RegisterRoutes = (app: FastifyInstance, ctx: RouteContext) => void | Promise<void>;

/** Shared response schemas for the OpenAPI document. */
export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    hint: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' } },
      },
    },
  },
} as const;

export const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, { ...problemSchema, description: `problem details (${c})` }]));

export const moneyString = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'exact decimal amount' } as const;

export const jobSchema = {
  type: 'object',
  required: ['id', 'kind', 'status', 'progress', 'createdAt'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    progress: { type: 'object', properties: { done: { type: 'number' }, total: { type: 'number' }, label: { type: 'string' } } },
    createdAt: { type: 'string' },
    finishedAt: { type: 'string' },
    result: { type: 'object', description: 'when succeeded; by kind: ingest:focus {kind, status, file, notes}, ingest:scenario {kind, scenarioId, reportId, report}, plan {runId, plan}, simulation {runId, simulation}' },
    error: {
      type: 'object',
      description: 'when failed: the problem (as RFC 9457, without type)',
      required: ['title', 'status', 'detail'],
      properties: { title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, issues: problemSchema.properties.issues },
    },
  },
} as const;

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const nullable = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] }) as const;

/** A GPU as the telemetry reports name it. */
export const gpuInfoSchema = {
  type: 'object',
  required: ['gpuId', 'host', 'index'],
  properties: { gpuId: str, host: str, index: str, model: nullable(str), memoryTotalMiB: nullable(num) },
} as const;

export const gpuPriceSchema = { type: 'object', required: ['pricePerHour', 'source'], properties: { pricePerHour: moneyString, source: str } } as const;

/** A saving: what to do, how much a month it saves, and on what basis. */
export const recommendationSchema = {
  type: 'object',
  required: ['id', 'title', 'saving'],
  properties: { id: str, resource: str, action: str, title: str, saving: moneyString, currency: str, effort: str, basis: str },
} as const;

export const costLineSchema = {
  type: 'object',
  required: ['resource', 'category', 'amount'],
  properties: { resource: str, category: str, component: str, amount: moneyString, basis: str },
} as const;

/** `{id}` in a path: ids and names are short. */
export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
