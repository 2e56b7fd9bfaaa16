/**
 * Request documents (scenarios, plan and simulation scenarios as YAML or JSON) are read and
 * validated here, on a small pool of parse threads of their own: a document just under the YAML
 * limits takes one to several seconds to parse on a loaded machine, which on the event loop would
 * stall every other request (health checks included); in the job pool it would queue behind
 * solves. A thread returns plain data (a scenario's Decimals travel as exact strings, see
 * cloneable.ts) or the InvalidInput with every issue (file, line, field), which the route answers
 * with the same 422 as before. Small documents are read in place: a thread's round trip and a
 * wait behind a big document would cost them more than the parse.
 */
import { availableParallelism } from 'node:os';
import { InvalidInput, type Issue } from '../../core/errors.js';
import type { Scenario } from '../../core/model/scenario.js';
import { planScenarioFromText } from '../importers/plan-scenario.js';
import { parseScenario, scenarioFromValue } from '../importers/scenario.js';
import { parseSimScenario } from '../importers/sim-scenario.js';
import { parseYaml } from '../importers/yaml-doc.js';
import { fromCloneable, toCloneable, type Cloneable } from '../jobs/cloneable.js';
import { Cancelled, threadEntry, WorkerPool } from '../jobs/pool.js';
import { INLINE_PARSE_BYTES, MAX_PARSE_MS, MAX_PARSE_QUEUE } from './limits.js';
import { HttpProblem } from './problem.js';
import { readServingBody, type ReadServingBody, type UnreadableBody } from './serving-body.js';
import { readForecastBody, type ReadForecastBody } from './forecast-body.js';
import { readRunBody } from './run-body.js';
import type { HashedRun } from '../../app/runs.js';

/** Every place a plan scenario may name a file; each must be absent (or `builtin`). */
export function fileReferences(doc: unknown): Issue[] {
  const issues: Issue[] = [];
  if (!doc || typeof doc !== 'object') return issues;
  const d = doc as { catalogs?: unknown; classes?: unknown; spot?: { traces?: unknown } };
  if (Array.isArray(d.catalogs)) d.catalogs.forEach((c, i) => c !== 'builtin' && issues.push({ path: `catalogs[${i}]`, message: 'the API takes only the built-in catalog', found: JSON.stringify(c) }));
  if (Array.isArray(d.classes)) {
    d.classes.forEach((c, i) => {
      const demand = (c as { demand?: unknown })?.demand;
      if (demand && typeof demand === 'object' && !Array.isArray(demand)) issues.push({ path: `classes[${i}].demand`, message: 'the API takes demand inline, as a list of numbers per period', found: JSON.stringify(demand) });
    });
  }
  if (Array.isArray(d.spot?.traces) && d.spot.traces.length) issues.push({ path: 'spot.traces', message: 'the API takes spot availability as spot.availability, not trace files' });
  return issues;
}

export interface ScenarioDocument {
  /** YAML or JSON text, or a JSON body already parsed. */
  text?: string;
  value?: unknown;
  file: string;
}

/** What a parse thread does; each task's input and output survive structured clone. */
export const parseTasks = {
  async scenario(input: ScenarioDocument): Promise<Cloneable> {
    const s = input.text !== undefined ? parseScenario(input.text, input.file) : scenarioFromValue(input.value, input.file);
    return toCloneable(s);
  },

  /** A plan scenario sent to the API: self-contained and valid (the job thread solves it). */
  async plan(input: { text: string; file: string }): Promise<null> {
    const doc = parseYaml(input.text, input.file).value;
    const refs = fileReferences(doc);
    if (refs.length) throw new InvalidInput(`${input.file}: a plan sent to the API must be self-contained (no request may make the server read files)`, refs.map((i) => ({ ...i, file: input.file })), 'Use catalogs: [builtin] and demand as a list of numbers, or run `penny plan FILE --save` and see it on the Plans page.');
    await planScenarioFromText(input.text, input.file);
    return null;
  },

  /** A simulation scenario sent to the API: no trace files, and valid. */
  async simulation(input: { text: string; file: string }): Promise<null> {
    const doc = parseYaml(input.text, input.file).value as { pools?: unknown } | null;
    const pools = doc && typeof doc === 'object' && Array.isArray(doc.pools) ? (doc.pools as ({ spot?: { trace?: unknown } } | null)[]) : [];
    const traced = pools.flatMap((p, i) => (p && typeof p === 'object' && p.spot && typeof p.spot === 'object' && p.spot.trace !== undefined ? [{ path: `${input.file}.pools[${i}].spot.trace`, message: 'the API takes no trace files; give the pool a preemption rate or availability' }] : []));
    if (traced.length) throw new InvalidInput('request body: a simulation sent to the API must be self-contained (no request may make the server read files)', traced, 'Or run `penny simulate FILE --trace F --save` and see it on the Simulations page.');
    await parseSimScenario(input.text, input.file);
    return null;
  },

  /** POST /api/serving's raw body (up to a million requests): JSON, schema, rows, as the route would. */
  async serving(input: { body: Uint8Array | string; file: string }): Promise<ReadServingBody | UnreadableBody> {
    return readServingBody(input.body);
  },

  /** POST /api/forecasts' raw body (up to 525,600 points): JSON, schema, points and digests, as the route would. */
  async forecast(input: { body: Uint8Array | string; file: string }): Promise<ReadForecastBody | UnreadableBody> {
    return readForecastBody(input.body);
  },

  /** POST /api/runs' raw body (up to 64 MiB): JSON, its kind's contract and the inputs' hash, as the route would. */
  async run(input: { body: Uint8Array | string; file: string }): Promise<HashedRun | UnreadableBody> {
    return readRunBody(input.body);
  },
};

export type ParseTasks = typeof parseTasks;
export type ParsePool = WorkerPool<ParseTasks>;

/** One parse thread per spare core, at most two: parses are short, and solves need the cores. */
export function parsePoolSize(): number {
  return Math.min(2, Math.max(1, availableParallelism() - 1));
}

export function createParsePool(size = parsePoolSize()): ParsePool {
  return new WorkerPool<ParseTasks>(size, threadEntry(import.meta.url, 'parse-worker'));
}

export interface ParseOptions {
  /** The client went away: a queued parse is dropped, a running one stopped. */
  signal?: AbortSignal;
  maxQueued?: number;
  /** The time limit of this parse (MAX_PARSE_MS by default). */
  maxMs?: number;
  /** Buffers of the input moved to the thread rather than copied (when it goes to one). */
  transfer?: ArrayBuffer[];
}

/**
 * Run a parse task: in place when the document is small, otherwise on the parse pool with a time
 * limit from when a thread takes it (a thread that runs past it is terminated and replaced).
 */
export async function runParse<K extends keyof ParseTasks>(pool: ParsePool, task: K, input: Parameters<ParseTasks[K]>[0], bytes: number, opts: ParseOptions = {}): Promise<Awaited<ReturnType<ParseTasks[K]>>> {
  type Out = Awaited<ReturnType<ParseTasks[K]>>;
  if (bytes <= INLINE_PARSE_BYTES) return (await (parseTasks[task] as (i: typeof input) => Promise<unknown>)(input)) as Out;
  const maxQueued = opts.maxQueued ?? MAX_PARSE_QUEUE;
  const maxMs = opts.maxMs ?? MAX_PARSE_MS;
  if (pool.stats().queued >= maxQueued) {
    throw new HttpProblem(503, 'busy', 'Server busy', `${input.file}: ${maxQueued} large documents are already waiting to be read`, 'Try again in a few seconds.');
  }
  const ctl = new AbortController();
  const gone = () => ctl.abort();
  opts.signal?.addEventListener('abort', gone, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    return (await pool.run(task, input as never, {
      signal: ctl.signal,
      ...(opts.transfer && { transfer: opts.transfer }),
      started: () => {
        timer = setTimeout(() => ctl.abort(), maxMs);
      },
    })) as Out;
  } catch (e) {
    if (e instanceof Cancelled && opts.signal?.aborted) throw new HttpProblem(400, 'client-closed', 'Request abandoned', `${input.file}: the client closed the request before it was read`);
    if (e instanceof Cancelled) {
      throw new InvalidInput(`${input.file}: took longer than ${maxMs / 1000} s to read`, [{ path: '', file: input.file, message: `reading the document took longer than ${maxMs / 1000} s` }], 'Send a smaller or simpler document.');
    }
    throw e;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', gone);
  }
}

/** Aborts when the client closes the connection before its response is sent. */
export function clientGone(res: { once(e: 'close', f: () => void): unknown; writableFinished: boolean }): AbortSignal {
  const ctl = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ctl.abort();
  });
  return ctl.signal;
}

/** A scenario from its text or parsed JSON, read off the event loop when it is large. */
export async function scenarioOffLoop(pool: ParsePool, doc: ScenarioDocument, bytes: number, opts: ParseOptions = {}): Promise<Scenario> {
  return fromCloneable<Scenario>(await runParse(pool, 'scenario', doc, bytes, opts));
}
