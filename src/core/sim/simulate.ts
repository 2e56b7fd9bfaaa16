/** The simulator's entry points: replay a trace under a policy, or fill a cluster with a pod list. */
import { runEngine, type EngineOptions } from './engine.js';
import { buildReport, type SimReport } from './metrics.js';
import type { SimInput } from './model.js';
import { makePolicy } from './policies/index.js';
import type { Policy } from './policies/policy.js';

export function simulate(input: SimInput, policy: string | Policy, opts: EngineOptions = {}): SimReport {
  const p = typeof policy === 'string' ? makePolicy(policy) : policy;
  return buildReport(runEngine(input, p, opts), input);
}
