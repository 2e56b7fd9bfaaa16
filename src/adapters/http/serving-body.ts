/**
 * The body of POST /api/serving, read and checked off the event loop: a body near the cap (a
 * million requests, some 60 MiB of JSON) takes seconds to parse, validate against the schema and
 * turn into typed arrays, which on the event loop would stall every other request (health checks
 * included). The route keeps the raw bytes (its own application/json parser does not parse) and
 * hands them to a parse thread (documents.ts), which runs readServingBody: the JSON, the schema
 * (the same one the OpenAPI document shows, with the server's body options), then every row and
 * profile. What comes back is the job's input (typed arrays) or the 4xx a client would have got
 * from the schema check on the event loop: the same problem, the same field paths.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { checkSloReachable, givenReplicaPrice, INTERVAL_S_RANGE, pickProfile, replicaPrice, zoneSpotPrices } from '../../app/serving.js';
import { Decimal } from '../../core/money.js';
import { workloadDigest } from '../../app/runs.js';
import { builtinCatalog } from '../../core/catalog/builtin.js';
import { InvalidInput } from '../../core/errors.js';
import { AUTOSCALER_NAMES } from '../../core/serving/autoscale.js';
import { defaultProfiles, deriveProfile, type ReplicaProfile } from '../../core/serving/replica.js';
import { BALANCER_NAMES, type BalancerName } from '../../core/serving/simulate.js';
import { workloadFromRows } from '../../core/serving/workload.js';
import { parseTimestamp } from '../importers/timestamp.js';
import type { PlainReplicaPrice, ServingTaskInput } from '../jobs/tasks.js';
import { BODY_AJV_OPTIONS } from './limits.js';
import { readJsonBody, type UnreadableBody } from './json-body.js';

/** Requests one call may send: about a week of a busy endpoint's trace (some 60 MiB of JSON). */
export const MAX_SERVING_REQUESTS = 1_000_000;
/** The body those take, with room for long ISO times and adapter names. */
export const MAX_SERVING_BODY_BYTES = 128 * 1024 * 1024;
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const decimal = { type: 'string', pattern: '^\\d+(\\.\\d+)?$' } as const;

/** A measured replica profile, the CSV's columns (docs/serving.md) in camelCase with the same units. */
const profileItem = {
  type: 'object',
  required: ['model', 'gpu', 'gpusPerReplica', 'prefillTokensPerS', 'decodeStepBaseMs', 'decodeStepPerKvTokenUs', 'kvCapacityTokens', 'maxBatch', 'startupS'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 200 },
    gpu: { type: 'string', minLength: 1, maxLength: 200 },
    gpusPerReplica: { type: 'integer', minimum: 1, maximum: 64 },
    prefillTokensPerS: { type: 'number', exclusiveMinimum: 0 },
    decodeStepBaseMs: { type: 'number', minimum: 0 },
    decodeStepPerKvTokenUs: { type: 'number', minimum: 0 },
    kvCapacityTokens: { type: 'integer', minimum: 1 },
    maxBatch: { type: 'integer', minimum: 1, maximum: 100_000 },
    startupS: { type: 'number', minimum: 0 },
    source: { type: 'string', maxLength: 500 },
  },
} as const;

/** The body's JSON Schema: the OpenAPI document shows it, and readServingBody checks it on the parse thread. */
export const servingBodySchema = {
  type: 'object',
  required: ['requests'],
  additionalProperties: false,
  properties: {
    model: str,
    gpu: str,
    gpus: { type: 'integer', minimum: 1, maximum: 64 },
    profiles: { type: 'array', minItems: 1, maxItems: 500, description: 'your measured replica profiles instead of the default table (the profiles CSV of docs/serving.md as JSON); model and gpu choose the row', items: profileItem },
    provider: str,
    onDemandUsdPerHour: decimal,
    spotUsdPerHour: decimal,
    sloTtftS: { type: 'number', exclusiveMinimum: 0 },
    sloAttainment: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    intervalS: { type: 'number', minimum: INTERVAL_S_RANGE.min, maximum: INTERVAL_S_RANGE.max },
    balancers: { type: 'array', minItems: 1, items: { type: 'string', enum: [...BALANCER_NAMES] } },
    autoscalers: { type: 'array', minItems: 1, items: { type: 'string', enum: [...AUTOSCALER_NAMES] } },
    plan: { type: 'boolean', description: 'solve and simulate the replica plan (default true)' },
    seed: { type: 'integer', minimum: 0 },
    spot: { type: 'object', description: 'one spot trace (SkyPilot spot-traces data): when spot replicas are preempted', required: ['gapS', 'available'], additionalProperties: false, properties: { gapS: { type: 'number', exclusiveMinimum: 0 }, available: { type: 'array', minItems: 1, maxItems: 1_000_000, items: { type: 'integer', minimum: 0 } }, offsetS: { type: 'number', minimum: 0 } } },
    spotZones: { type: 'array', minItems: 1, maxItems: 32, description: 'several spot zones, one trace each over the same period (instead of spot): spot replicas are spread across the zones with capacity, so one zone\'s outage takes only its share', items: { type: 'object', required: ['gapS', 'available'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200, description: 'e.g. us-west-2a: its region (us-west-2) prices the zone from the catalog' }, gapS: { type: 'number', exclusiveMinimum: 0 }, available: { type: 'array', minItems: 1, maxItems: 1_000_000, items: { type: 'integer', minimum: 0 } }, spotUsdPerHour: { ...decimal, description: 'this zone\'s spot price of a replica-hour (default: spotUsdPerHour, else the catalog in the zone\'s region)' } } } },
    spotOffsetS: { type: 'number', minimum: 0, description: 'where in the spotZones traces the requests start' },
    hedge: { anyOf: [{ type: 'integer', minimum: 0, maximum: 1000 }, { type: 'string', enum: ['zones'] }], description: 'spot-mix: extra spot replicas over the need; zones (default): the fewest that survive losing the fullest zone (docs/serving.md)' },
    requests: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_SERVING_REQUESTS,
      items: {
        type: 'object',
        required: ['time', 'contextTokens', 'generatedTokens'],
        additionalProperties: false,
        properties: { time: { anyOf: [str, num] }, contextTokens: { type: 'integer', minimum: 0 }, generatedTokens: { type: 'integer', minimum: 1 }, adapter: str },
      },
    },
  },
} as const;

export interface ProfileBody {
  model: string;
  gpu: string;
  gpusPerReplica: number;
  prefillTokensPerS: number;
  decodeStepBaseMs: number;
  decodeStepPerKvTokenUs: number;
  kvCapacityTokens: number;
  maxBatch: number;
  startupS: number;
  source?: string;
}

export interface ServingBody {
  model?: string;
  profiles?: ProfileBody[];
  gpu?: string;
  gpus?: number;
  provider?: string;
  onDemandUsdPerHour?: string;
  spotUsdPerHour?: string;
  sloTtftS?: number;
  sloAttainment?: number;
  intervalS?: number;
  balancers?: BalancerName[];
  autoscalers?: string[];
  plan?: boolean;
  seed?: number;
  spot?: { gapS: number; available: number[]; offsetS?: number };
  spotZones?: { name?: string; gapS: number; available: number[]; spotUsdPerHour?: string }[];
  spotOffsetS?: number;
  hedge?: number | 'zones';
  requests: { time: string | number; contextTokens: number; generatedTokens: number; adapter?: string }[];
}

/** The profile table sent in the body, each row checked (a 422 naming profiles[i] and the field). */
export function profilesFromBody(rows: ProfileBody[]): ReplicaProfile[] {
  const seen = new Map<string, number>();
  return rows.map((r, i) => {
    const key = `${r.model}\u0000${r.gpu}\u0000${r.gpusPerReplica}`;
    const first = seen.get(key);
    if (first !== undefined) throw new InvalidInput(`profiles[${i}] repeats profiles[${first}]: ${r.model} on ${r.gpusPerReplica} × ${r.gpu}`, [{ path: `profiles[${i}]`, message: `the same model, gpu and gpusPerReplica as profiles[${first}]`, found: `${r.model} / ${r.gpusPerReplica} × ${r.gpu}` }], 'Keep one row per model, GPU type and GPUs per replica.');
    seen.set(key, i);
    for (const f of ['prefillTokensPerS', 'decodeStepBaseMs', 'decodeStepPerKvTokenUs', 'startupS'] as const) {
      if (!Number.isFinite(r[f]) || r[f] > 1e12) throw new InvalidInput(`profiles[${i}].${f} is out of range`, [{ path: `profiles[${i}].${f}`, message: 'not a finite number up to 1e12', found: String(r[f]) }], 'Give the measured figure (see docs/serving.md for the units).');
    }
    return {
      model: r.model,
      gpu: r.gpu,
      gpusPerReplica: r.gpusPerReplica,
      prefillTokensPerS: r.prefillTokensPerS,
      decodeStepBaseS: r.decodeStepBaseMs / 1000,
      decodeStepPerKvTokenS: r.decodeStepPerKvTokenUs / 1e6,
      kvCapacityTokens: r.kvCapacityTokens,
      maxBatch: r.maxBatch,
      startupS: r.startupS,
      source: r.source ?? `request body profiles[${i}]`,
    };
  });
}

const plainPrice = (p: { onDemandUsdPerHour: { toString(): string }; spotUsdPerHour?: { toString(): string }; source: string }): PlainReplicaPrice => ({ onDemandUsdPerHour: p.onDemandUsdPerHour.toString(), ...(p.spotUsdPerHour && { spotUsdPerHour: p.spotUsdPerHour.toString() }), source: p.source });

/** One spot trace (`spot`) or several zones (`spotZones`, one trace each), never both. */
function spotOf(b: ServingBody): Pick<ServingTaskInput, 'spot' | 'spotZones' | 'spotOffsetS'> {
  if (b.spot && b.spotZones) throw new InvalidInput('give spot or spotZones, not both', [{ path: 'spotZones', message: 'spot is given too' }], 'Put the one trace in spotZones as its only zone, or drop spotZones.');
  if (b.spot) return { spot: { name: 'request', gapS: b.spot.gapS, available: b.spot.available }, spotOffsetS: b.spot.offsetS ?? 0 };
  if (!b.spotZones) return {};
  const names = b.spotZones.map((z, i) => z.name ?? `zone-${i + 1}`);
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dup >= 0) throw new InvalidInput(`spotZones[${dup}].name "${names[dup]}" is given twice`, [{ path: `spotZones[${dup}].name`, message: 'zone names must differ', found: names[dup]! }], 'Name each zone once (e.g. us-west-2a, us-west-2b).');
  return { spotZones: b.spotZones.map((z, i) => ({ name: names[i]!, gapS: z.gapS, available: z.available })), spotOffsetS: b.spotOffsetS ?? 0 };
}

/** The body as a job's input, every field checked before anything is queued. */
export function servingInput(b: ServingBody): ServingTaskInput {
  const hint = 'Give the price of one replica-hour in USD, e.g. "4.10".';
  if (b.onDemandUsdPerHour !== undefined) givenReplicaPrice(b.onDemandUsdPerHour, 'onDemandUsdPerHour', hint);
  if (b.spotUsdPerHour !== undefined) givenReplicaPrice(b.spotUsdPerHour, 'spotUsdPerHour', hint);
  b.spotZones?.forEach((z, i) => z.spotUsdPerHour !== undefined && givenReplicaPrice(z.spotUsdPerHour, `spotZones[${i}].spotUsdPerHour`, hint));
  const adapters = new Map<string, number>();
  const rows = b.requests.map((r, i) => {
    const tMs = typeof r.time === 'number' ? r.time * 1000 : parseTimestamp(r.time);
    if (!Number.isFinite(tMs)) throw new InvalidInput(`requests[${i}].time is not a time`, [{ path: `requests[${i}].time`, message: 'expected ISO 8601 or seconds', found: String(r.time) }], 'Give times as ISO 8601 (2026-01-05T09:00:00Z) or seconds from the start.');
    let adapter: number | undefined;
    if (r.adapter !== undefined) {
      adapter = adapters.get(r.adapter);
      if (adapter === undefined) adapters.set(r.adapter, (adapter = adapters.size));
    }
    // One object shape for every row (no spread): cheaper for the event loop on a long trace.
    return { tMs, contextTokens: r.contextTokens, generatedTokens: r.generatedTokens, adapter };
  });
  const workload = workloadFromRows('requests', rows);
  const model = b.model ?? (b.profiles?.[0]?.model ?? 'llama-3-8b');
  const gpu = b.gpu ?? (b.profiles ? b.profiles.find((p) => p.model === model)?.gpu ?? 'A100' : 'A100');
  const table = b.profiles ? profilesFromBody(b.profiles) : undefined;
  const profile = table ? pickProfile(table, 'profiles', model, gpu, b.gpus) : deriveProfile(model, gpu, b.gpus);
  const catalog = builtinCatalog();
  const fromCatalog = replicaPrice(catalog, profile, b.provider);
  const od = b.onDemandUsdPerHour ?? fromCatalog?.onDemandUsdPerHour.toString();
  if (!od) throw new InvalidInput(`no catalog price for ${profile.gpu}`, [{ path: 'gpu', message: 'no offering of this GPU type in the catalog', found: profile.gpu }], 'Give onDemandUsdPerHour (and spotUsdPerHour), or another gpu or provider.');
  const spot = b.spotUsdPerHour ?? fromCatalog?.spotUsdPerHour?.toString();
  const price: PlainReplicaPrice = { onDemandUsdPerHour: od, ...(spot && { spotUsdPerHour: spot }), source: b.onDemandUsdPerHour ? 'given in the request' : fromCatalog!.source };
  const slo = { ttftS: b.sloTtftS ?? 2, attainment: b.sloAttainment ?? 0.99 };
  // The one infeasibility a client can fix at once is refused at once, not after a queued job.
  checkSloReachable(workload, profile, slo);
  const plan = b.plan !== false;
  const zones = spotOf(b);
  const planCandidates = plan && !b.onDemandUsdPerHour
    ? (table ?? defaultProfiles()).filter((c) => c.model === model).flatMap((c) => {
        const p = replicaPrice(catalog, c, b.provider);
        return p ? [{ profile: c, price: plainPrice(p) }] : [];
      })
    : [{ profile, price }];
  return {
    workload,
    profile,
    price,
    planCandidates,
    slo,
    intervalS: b.intervalS ?? 60,
    ...(b.balancers && { balancers: b.balancers }),
    ...(b.autoscalers && { autoscalers: b.autoscalers }),
    seed: b.seed ?? 1,
    ...zones,
    ...(b.hedge !== undefined && { hedge: b.hedge }),
    ...(zones.spotZones && { spotZonePrices: zoneSpotPrices(catalog, profile, zones.spotZones, b.spotZones!.map((z) => (z.spotUsdPerHour === undefined ? undefined : new Decimal(z.spotUsdPerHour))), b.spotUsdPerHour === undefined ? undefined : new Decimal(b.spotUsdPerHour), b.provider).prices.map((x) => x?.toString() ?? null) }),
    plan,
  };
}


/** Compiled once per parse thread, with the server's body options (limits.ts). */
let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  if (!validate) {
    const Ajv = Ajv2020 as unknown as typeof Ajv2020.default;
    validate = new Ajv(BODY_AJV_OPTIONS).compile(servingBodySchema);
  }
  return validate;
}

/** What a parse thread gives the route: the job's input, and the body as recorded (the trace as its digest). */
export interface ReadServingBody {
  input: ServingTaskInput;
  inputs: Omit<ServingBody, 'requests'> & { requests: string };
}

export type { UnreadableBody } from './json-body.js';

/**
 * The raw body (UTF-8 bytes or text) read as the route would on the event loop: JSON (at most
 * MAX_NESTING deep), the schema, then the rows and profiles (servingInput). Bad JSON comes back
 * as UnreadableBody (a 400); a body the schema refuses throws the InvalidInput with the field
 * paths the server's schema check gives; servingInput's own checks throw as they did.
 */
export function readServingBody(raw: Uint8Array | string): ReadServingBody | UnreadableBody {
  const read = readJsonBody(raw, validator());
  if ('unreadable' in read) return read;
  const b = read.value as ServingBody;
  const input = servingInput(b);
  const { requests: _rows, ...rest } = b;
  return { input, inputs: { ...rest, requests: workloadDigest(input.workload) } };
}
