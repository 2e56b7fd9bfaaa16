/**
 * The body of POST /api/runs (a run computed elsewhere: `penny plan|simulate|forecast|serving
 * --save` beside this server), read and checked off the event loop: up to 64 MiB of JSON takes
 * seconds to parse, check against its kind's contract and hash, which on the event loop stalled
 * every other request for all of it. A parse thread (documents.ts) runs readRunBody; the route
 * gets the run to record, its inputs hashed, or the same 4xx a check on the event loop gave.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { forecastResultSchema, planResultSchema, servingResultSchema, simulationResultSchema } from '../../app/contracts.js';
import { inputHash, type HashedRun, type RunInput } from '../../app/runs.js';
import { BODY_AJV_OPTIONS } from './limits.js';
import { readJsonBody, type UnreadableBody } from './json-body.js';

/** A simulation's result with every job, or a long forecast, recorded from the CLI. */
export const MAX_RUN_BODY_BYTES = 64 * 1024 * 1024;

/** A run computed elsewhere: its result must be of its kind's contract. */
const runOf = (kind: string, result: object) => ({
  type: 'object',
  required: ['kind', 'name', 'inputs', 'summary', 'result'],
  properties: { kind: { const: kind }, name: { type: 'string', minLength: 1, maxLength: 500 }, inputs: { type: 'object' }, summary: { type: 'object' }, result },
}) as const;

/** The body's JSON Schema: the OpenAPI document shows it, and readRunBody checks it on the parse thread. */
export const runBodySchema = { oneOf: [runOf('plan', planResultSchema), runOf('simulation', simulationResultSchema), runOf('forecast', forecastResultSchema), runOf('serving', servingResultSchema)] } as const;

/** Compiled once per parse thread, with the server's body options (limits.ts). */
let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  if (!validate) {
    const Ajv = Ajv2020 as unknown as typeof Ajv2020.default;
    validate = new Ajv(BODY_AJV_OPTIONS).compile(runBodySchema);
  }
  return validate;
}

/**
 * The raw body (UTF-8 bytes or text) read as the route once read it on the event loop: JSON (at
 * most MAX_NESTING deep), the schema, then the inputs hashed. Bad JSON comes back as
 * UnreadableBody (a 400); a body the schema refuses throws the InvalidInput with the field paths
 * the server's schema check gives.
 */
export function readRunBody(raw: Uint8Array | string): HashedRun | UnreadableBody {
  const read = readJsonBody(raw, validator());
  if ('unreadable' in read) return read;
  const r = read.value as RunInput;
  return { kind: r.kind, name: r.name, inputHash: inputHash(r.kind, r.inputs), summary: r.summary, result: r.result };
}
