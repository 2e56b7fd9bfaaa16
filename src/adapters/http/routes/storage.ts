/**
 * Storage over HTTP: the dated price catalog, and tier plans of an object list sent in the body
 * (the objects CSV's fields as JSON: key, size, creation and read times). A request may not make
 * the server read files, so inventories and access logs stay with the CLI.
 */
import { type StorageObjectRecord, MAX_HORIZON_MONTHS, parseLocalSpec, planStorage, storagePlanToJson, storagePricesToJson } from '../../../app/storage.js';
import { InvalidInput } from '../../../core/errors.js';
import type { StorageProvider } from '../../../core/storage/prices.js';
import { parseTimestamp } from '../../importers/timestamp.js';
import { moneyString, problems, type RegisterRoutes } from './types.js';

const MAX_OBJECTS = 100_000;
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const nullableMoney = { anyOf: [moneyString, { type: 'null' }] } as const;
const stepSchema = { type: 'object', required: ['fromMonth', 'tierId'], properties: { fromMonth: int, tierId: str } } as const;

const tierSchema = {
  type: 'object',
  required: ['id', 'provider', 'className', 'storageUsdPerGibMonth', 'retrievalUsdPerGib', 'readUsdPer1000', 'writeUsdPer1000', 'transitionUsdPer1000', 'minStorageDays', 'instantAccess', 'source'],
  properties: {
    id: str,
    provider: str,
    className: str,
    rank: int,
    storageUsdPerGibMonth: moneyString,
    retrievalUsdPerGib: moneyString,
    readUsdPer1000: moneyString,
    writeUsdPer1000: moneyString,
    transitionUsdPer1000: moneyString,
    minStorageDays: int,
    minBillableObjectBytes: int,
    overheadBytesPerObject: int,
    overheadStandardBytesPerObject: int,
    minAgeDaysForTransition: int,
    instantAccess: { type: 'boolean' },
    source: str,
  },
} as const;

const pricesSchema = {
  type: 'object',
  required: ['date', 'currency', 'tiers', 'autoTiering'],
  properties: {
    date: str,
    currency: str,
    tiers: { type: 'array', items: tierSchema },
    autoTiering: {
      type: 'array',
      items: {
        type: 'object',
        required: ['provider', 'name', 'monitoringUsdPer1000ObjectsMonth', 'steps'],
        properties: { provider: str, name: str, monitoringUsdPer1000ObjectsMonth: moneyString, minMonitoredObjectBytes: int, transitionUsdPer1000: moneyString, source: str, steps: { type: 'array', items: { type: 'object', required: ['afterIdleDays', 'storageUsdPerGibMonth'], properties: { afterIdleDays: int, storageUsdPerGibMonth: moneyString } } } },
      },
    },
  },
} as const;

const planSchema = {
  type: 'object',
  required: ['provider', 'currency', 'horizonMonths', 'pricesDate', 'objects', 'bytes', 'totals', 'prefixes', 'lifecycle'],
  properties: {
    provider: str,
    currency: str,
    horizonMonths: int,
    pricesDate: str,
    sources: { type: 'array', items: str },
    objects: int,
    bytes: { type: 'number' },
    reads: int,
    unmatchedReads: int,
    readsBeforeCreation: { ...int, description: 'reads dated before their object\'s creation (an earlier object under the key): left out of the rates' },
    window: { type: 'object', properties: { from: { anyOf: [str, { type: 'null' }] }, to: { anyOf: [str, { type: 'null' }] } } },
    totals: { type: 'object', required: ['plan', 'allStandard', 'lifecycle3090'], properties: { plan: moneyString, allStandard: moneyString, lifecycle3090: moneyString, autoTiering: nullableMoney, local: nullableMoney } },
    localTier: { type: 'object', required: ['id', 'storageUsdPerGibMonth', 'source'], properties: { id: str, storageUsdPerGibMonth: moneyString, source: str } },
    prefixes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['prefix', 'objects', 'bytes', 'steps', 'plan', 'allStandard', 'lifecycle3090'],
        properties: { prefix: str, objects: int, bytes: { type: 'number' }, readsPerMonth: { type: 'number' }, steps: { type: 'array', items: stepSchema }, plan: moneyString, planParts: { type: 'object', additionalProperties: moneyString }, allStandard: moneyString, lifecycle3090: moneyString, autoTiering: nullableMoney, local: nullableMoney },
      },
    },
    lifecycle: { type: 'object', required: ['provider', 'document', 'uploads'], properties: { provider: str, document: { type: 'object' }, uploads: { type: 'array', items: { type: 'object', properties: { prefix: str, storageClass: str } } }, day0: { type: 'array', items: str } } },
  },
} as const;

interface PlanBody {
  provider?: StorageProvider;
  horizonMonths?: number;
  prefixDepth?: number;
  byObject?: boolean;
  allowRestore?: boolean;
  asOf?: string;
  local?: string;
  objects: { key: string; sizeBytes: number; created: string; accessed?: string[] }[];
}

export const storageRoutes: RegisterRoutes = (app) => {
  app.get('/api/storage/prices', {
    schema: {
      tags: ['storage'],
      summary: 'The built-in storage price catalog (dated, with sources): tiers, retrieval, requests, minimum durations',
      querystring: { type: 'object', properties: { provider: { type: 'string', enum: ['aws', 'gcp', 'azure'] } } },
      response: { 200: pricesSchema, ...problems(422) },
    },
  }, async (req) => storagePricesToJson((req.query as { provider?: string }).provider));

  app.post('/api/storage/plan', {
    schema: {
      tags: ['storage'],
      summary: 'The cheapest tier schedule per prefix (or object) for a list of objects and their read times, with lifecycle rules (docs/storage.md)',
      body: {
        type: 'object',
        required: ['objects'],
        additionalProperties: false,
        properties: {
          provider: { type: 'string', enum: ['aws', 'gcp', 'azure'] },
          horizonMonths: { type: 'integer', minimum: 1, maximum: MAX_HORIZON_MONTHS },
          prefixDepth: { type: 'integer', minimum: 1, maximum: 64 },
          byObject: { type: 'boolean' },
          allowRestore: { type: 'boolean' },
          asOf: { type: 'string', description: 'end of the observation (ISO 8601); default the latest time given' },
          local: { type: 'string', maxLength: 300, description: 'also price everything on local disks or a NAS from its TCO terms, as `--local`: purchase=USD,tib=N,months=N,watts=W,kwh=USD[,pue=X][,maintenance=USD/year][,name=NAME]' },
          objects: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_OBJECTS,
            items: {
              type: 'object',
              required: ['key', 'sizeBytes', 'created'],
              additionalProperties: false,
              properties: { key: { type: 'string', minLength: 1 }, sizeBytes: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, created: { type: 'string' }, accessed: { type: 'array', items: { type: 'string' }, maxItems: 10_000 } },
            },
          },
        },
      },
      response: { 200: planSchema, ...problems(400, 413, 415, 422) },
    },
  }, async (req) => {
    const body = req.body as PlanBody;
    const time = (s: string, path: string) => {
      const t = parseTimestamp(s);
      if (Number.isNaN(t)) throw new InvalidInput(`${path} is not a timestamp`, [{ path, message: 'expected ISO 8601', found: s }], 'Write times as ISO 8601, e.g. 2025-01-03T10:00:00Z.');
      return t;
    };
    const objects: StorageObjectRecord[] = body.objects.map((o, i) => ({ bucket: '', key: o.key, sizeBytes: o.sizeBytes, createdMs: time(o.created, `objects[${i}].created`), readsMs: (o.accessed ?? []).map((a, k) => time(a, `objects[${i}].accessed[${k}]`)) }));
    async function* iterate() {
      yield* objects;
    }
    const asOfMs = body.asOf === undefined ? undefined : time(body.asOf, 'asOf');
    const local = body.local === undefined ? undefined : parseLocalSpec(body.local, 'local');
    const r = await planStorage(iterate(), undefined, { provider: body.provider ?? 'aws', horizonMonths: body.horizonMonths ?? 12, prefixDepth: body.byObject ? Infinity : (body.prefixDepth ?? 1), allowRestore: body.allowRestore === true, ...(asOfMs !== undefined && { asOfMs }), ...(local && { localTier: local }) });
    return storagePlanToJson(r);
  });
};
