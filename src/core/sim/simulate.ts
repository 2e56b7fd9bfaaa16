/** The simulator's entry points: replay a trace under a policy, or fill a cluster with a pod list. */
import { runEngine, type EngineOptions } from './engine.js';
import { buildReport, type SimReport } from './metrics.js';
import type { SimInput } from './model.js';
import { makePolicy } from './policies/index.js';
import type { Policy } from './policies/policy.js';

/**
 * Several policies over the same period: runs that end early are accounted (idle nodes, services
 * still running) up to the latest end, so every policy pays for the same span of time.
 */
export function compare(input: SimInput, policies: (string | Policy)[], opts: EngineOptions & { onPolicy?: (i: number) => EngineOptions } = {}): SimReport[] {
  const runs = policies.map((p, i) => runEngine(input, typeof p === 'string' ? makePolicy(p) : p, opts.onPolicy ? opts.onPolicy(i) : opts));
  const end = Math.max(...runs.map((r) => r.endS));
  return runs.map((r) => {
    r.close(end);
    return buildReport(r, input);
  });
}

export function simulate(input: SimInput, policy: string | Policy, opts: EngineOptions = {}): SimReport {
  const p = typeof policy === 'string' ? makePolicy(policy) : policy;
  return buildReport(runEngine(input, p, opts), input);
}
