/**
 * The deadline rules on every real spot availability trace in ../shared/data, under both readings
 * of a trace's values, at deadline slack 1.2 and 1.5 (40 jobs each): no deadline missed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSpotTrace } from '../src/adapters/importers/spot-trace.js';
import { spotCapacity } from '../src/core/model/spot.js';
import { compare } from '../src/core/sim/simulate.js';
import { spotReference } from '../src/core/sim/reference.js';
import { spotEvaluation } from './random-spot-case.js';
import { sharedFile } from './shared-data.js';

const dir = sharedFile('spot-traces/availability/1-node/aws-02-15-2023');

describe.skipIf(!dir)('deadline rules on the real spot traces (AWS V100, 9 zones, 45 days)', () => {
  const files = dir ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  it('finds the nine traces', () => expect(files.length).toBe(9));
  for (const values of ['available', 'preempted'] as const) {
    it(`no deadline missed at slack 1.2 and 1.5, values read as ${values}; never below the perfect-foresight bound`, async () => {
      for (const f of files) {
        const trace = spotCapacity(await readSpotTrace(join(dir!, f)), values);
        for (const slack of [1.2, 1.5]) {
          const input = spotEvaluation(trace, slack);
          const [od, greedy, aware, reserve, hazard] = compare(input, ['always-on-demand', 'greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard']);
          for (const r of [greedy!, aware!, reserve!, hazard!]) {
            expect(r.jobs.deadlineMisses, `${f} slack ${slack} ${r.policy}`).toBe(0);
            expect(r.jobs.finished).toBe(40);
          }
          const ref = spotReference(input)!;
          expect(ref.jobs).toBe(40);
          for (const r of [od!, greedy!, aware!, reserve!, hazard!]) expect(r.cost.total.gte(ref.cost), `${f} ${r.policy} above the bound`).toBe(true);
        }
      }
    }, 600_000);
  }
});
