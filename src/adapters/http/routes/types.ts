import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../server.js';

import { costReportSchema, forecastResultSchema, moneyString, nullable, num, planResultSchema, servingResultSchema, simulationResultSchema, str } from '../../../app/contracts.js';

// The result contracts live in app/ (the CLI prints the same shapes); routes take them from here.
export { costLineSchema, costReportSchema, forecastResultSchema, moneyString, planResultSchema, runRecordSchema, runSummarySchema, servingResultSchema, simulationResultSchema } from '../../../app/contracts.js';

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

/** What each kind of job returns when it succeeds (src/adapters/http/routes/uploads.ts, plans.ts, simulations.ts). */
export const jobResultSchema = {
  description: 'when succeeded; by kind: ingest:focus, ingest:scenario, ingest:nvidia-smi, plan {runId, plan}, simulation {runId, simulation}, forecast {runId, forecast}, serving {runId, serving}',
  anyOf: [
    {
      type: 'object',
      description: 'ingest:focus',
      required: ['kind', 'status', 'file', 'notes'],
      properties: {
        kind: { type: 'string', enum: ['focus'] },
        status: { type: 'string', enum: ['ingested', 'already-ingested', 'superseded'] },
        file: { type: 'object', required: ['rows'], properties: { id: str, path: str, rows: num, ingestedAt: str, currency: str, deliveryId: str } },
        totals: { type: 'array' },
        replaced: { type: 'object' },
        notes: { type: 'array', items: str },
      },
    },
    { type: 'object', description: 'ingest:scenario', required: ['kind', 'scenarioId', 'reportId', 'report'], properties: { kind: { type: 'string', enum: ['scenario'] }, scenarioId: str, reportId: str, report: costReportSchema } },
    { type: 'object', description: 'ingest:nvidia-smi', required: ['kind', 'status', 'telemetry'], properties: { kind: { type: 'string', enum: ['nvidia-smi'] }, status: { type: 'string', enum: ['ingested', 'already-ingested'] }, telemetry: { type: 'object', required: ['sourceId', 'created', 'gpus', 'samples', 'duplicates', 'repeatedRows'], properties: { sourceId: str, created: { type: 'boolean' }, gpus: { type: 'integer', description: 'GPUs in the file' }, samples: { type: 'integer', description: 'samples stored' }, duplicates: { type: 'integer', description: 'samples skipped: the store already had one for that GPU and time from another source' }, repeatedRows: { type: 'integer', description: 'rows skipped: exact repeats of an earlier row of this file' } } } } },
    { type: 'object', description: 'plan', required: ['runId', 'plan'], properties: { runId: str, plan: planResultSchema } },
    { type: 'object', description: 'simulation', required: ['runId', 'simulation'], properties: { runId: str, simulation: simulationResultSchema } },
    { type: 'object', description: 'forecast', required: ['runId', 'forecast'], properties: { runId: str, forecast: forecastResultSchema } },
    { type: 'object', description: 'serving', required: ['runId', 'serving'], properties: { runId: str, serving: servingResultSchema } },
    { type: 'object', description: 'forecasts (several series)', required: ['forecasts', 'skipped'], properties: { forecasts: { type: 'array', items: { type: 'object', required: ['key', 'runId', 'forecast'], properties: { key: str, runId: str, forecast: forecastResultSchema } } }, skipped: { type: 'array', description: 'series no forecast could be made for, with the reason', items: { type: 'object', required: ['key', 'reason'], properties: { key: str, reason: str } } } } },
  ],
} as const;

export const jobSchema = {
  type: 'object',
  required: ['id', 'kind', 'status', 'progress', 'createdAt'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    progress: { type: 'object', required: ['done', 'total', 'label'], properties: { done: { type: 'number' }, total: { type: 'number' }, label: { type: 'string' } } },
    createdAt: { type: 'string' },
    finishedAt: { type: 'string' },
    result: jobResultSchema,
    error: {
      type: 'object',
      description: 'when failed: the problem (as RFC 9457, without type)',
      required: ['title', 'status', 'detail'],
      properties: { title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, issues: problemSchema.properties.issues },
    },
  },
} as const;


/** A GPU as the telemetry reports name it. */
export const gpuInfoSchema = {
  type: 'object',
  required: ['gpuId', 'host', 'index', 'model', 'memoryTotalMiB'],
  properties: { gpuId: str, host: str, index: str, model: nullable(str), memoryTotalMiB: nullable(num) },
} as const;

export const gpuPriceSchema = { type: 'object', required: ['pricePerHour', 'source'], properties: { pricePerHour: moneyString, source: str, currency: { ...str, description: 'the price\'s currency where it is not the report\'s (an owned GPU priced by a scenario in EUR)' } } } as const;

/** A saving: what to do, how much a month it saves, and on what basis. */
const recommendationProperties = { id: str, resource: str, action: str, title: str, saving: moneyString, currency: str, effort: str, basis: str, exclusiveGroup: str, billedAs: { type: 'array', items: str } } as const;
export const recommendationSchema = {
  type: 'object',
  required: ['id', 'resource', 'action', 'title', 'saving', 'currency', 'effort', 'basis'],
  properties: { ...recommendationProperties, alternatives: { type: 'array', description: 'exclusive choices for the same resource-hours (only the best counts in totals)', items: { type: 'object', required: ['id', 'title', 'saving'], properties: recommendationProperties } } },
} as const;


/** `{id}` in a path: ids and names are short. */
export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
