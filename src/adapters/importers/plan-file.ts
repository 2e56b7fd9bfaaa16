/**
 * A plan as `penny plan --json` prints it (app/plan-json.ts) → the core PlanSpec the simulator
 * turns into node pools. Only the fields the simulation needs are read; the rest may be anything.
 */
import { z } from 'zod';
import { InvalidInput } from '../../core/errors.js';
import { decimalField, numberField } from '../../core/model/fields.js';
import type { PlanSpec } from '../../core/sim/plan-pools.js';
import { MAX_SCENARIO_BYTES, readTextFile } from './input-file.js';

const count = () => numberField({ min: 0, int: true });

const lineSchema = z.object({
  offering: z.string().min(1),
  gpu: z.string(),
  gpuCount: numberField({ min: 0, max: 31, int: true }),
  priceModel: z.enum(['on-demand', 'spot', 'reserved', 'on-prem'], { error: 'expected on-demand, spot, reserved or on-prem' }),
  priceUsdPerHour: decimalField({ min: 0 }),
  runs: z.array(z.object({ from: count(), to: count(), count: count() }).refine((r) => r.to >= r.from, { message: 'to must be at least from' })),
  costUsd: decimalField({ min: 0 }),
});

const planSchema = z.object({
  scenario: z.string(),
  currency: z.literal('USD', { error: 'expected USD (penny plan prints plans in USD)' }),
  periodHours: numberField({ min: 0, exclusiveMin: true }),
  periods: numberField({ min: 1, int: true }),
  totalUsd: decimalField({ min: 0 }),
  plan: z.array(lineSchema),
});

export function parsePlanFile(text: string, file = '<plan>'): PlanSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidInput(`${file}: not JSON: ${(e as Error).message}`, [{ path: '', file, message: 'not valid JSON' }], 'Give the JSON that `penny plan <scenario> --json` prints.');
  }
  const r = planSchema.safeParse(json);
  if (!r.success) {
    throw new InvalidInput(
      `${file}: not a plan from penny plan --json`,
      r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), file, message: i.message })),
      'Give the JSON that `penny plan <scenario> --json` prints (save it with > plan.json).',
    );
  }
  const p = r.data;
  const late = p.plan.flatMap((l, i) => l.runs.flatMap((run, k) => (run.to >= p.periods ? [{ path: `plan.${i}.runs.${k}.to`, file, message: `period ${run.to} is past the plan's last (${p.periods - 1})` }] : [])));
  if (late.length) throw new InvalidInput(`${file}: a plan line runs past the plan's periods`, late, 'Give the plan exactly as penny plan printed it.');
  return { scenario: p.scenario, periodHours: p.periodHours, periods: p.periods, totalUsd: p.totalUsd, lines: p.plan };
}

export async function readPlanFile(path: string): Promise<PlanSpec> {
  return parsePlanFile(await readTextFile(path, MAX_SCENARIO_BYTES, 'plan'), path);
}
