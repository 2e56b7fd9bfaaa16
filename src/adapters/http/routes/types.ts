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
    result: {},
    error: { type: 'object' },
  },
} as const;
