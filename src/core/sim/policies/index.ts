/** Every scheduling policy by name, in the order `penny simulate --help` lists them. */
import { InvalidInput } from '../../errors.js';
import type { Policy } from './policy.js';
import { fifo } from './fifo.js';
import { priority } from './priority.js';
import { sjf } from './sjf.js';
import { backfill } from './backfill.js';
import { bestFit } from './best-fit.js';
import { leastLoaded } from './least-loaded.js';
import { roundRobin } from './round-robin.js';
import { hashPlacement } from './hash.js';
import { perfCost } from './perf-cost.js';
import { dotProduct } from './dot-product.js';
import { gpuPacking } from './gpu-packing.js';
import { randomFit } from './random-fit.js';
import { fgd } from './fgd.js';
import { alwaysSpot, alwaysOnDemand, deadlineAware, greedySpot, slackReserve, spotHazard } from './spot.js';

/** Factories: a policy may keep state (round-robin's pointer), so every run gets a fresh one. */
export const POLICIES: Record<string, () => Policy> = {
  fifo,
  priority,
  sjf,
  backfill,
  'best-fit': bestFit,
  'least-loaded': leastLoaded,
  'round-robin': roundRobin,
  hash: hashPlacement,
  'perf-cost': perfCost,
  'dot-product': dotProduct,
  'gpu-packing': gpuPacking,
  'random-fit': randomFit,
  fgd,
  'always-spot': alwaysSpot,
  'always-on-demand': alwaysOnDemand,
  'deadline-aware': () => deadlineAware(),
  greedy: greedySpot,
  'slack-reserve': () => slackReserve(),
  'spot-hazard': () => spotHazard(),
};

export const POLICY_NAMES = Object.keys(POLICIES);

export function makePolicy(name: string): Policy {
  const f = POLICIES[name];
  if (!f) {
    throw new InvalidInput(`unknown policy "${name}"`, [{ path: 'policy', message: 'unknown policy', expected: `one of ${POLICY_NAMES.join(', ')}`, found: JSON.stringify(name) }], 'Name one of the policies listed in penny simulate --help.');
  }
  return f();
}
