/**
 * The simulations page's "Cheapest" card. A policy that misses deadlines or leaves jobs unfinished
 * is cheaper for the work it did not do in time (always-spot; FIFO letting jobs run late or wait
 * past the end), so the card names the cheapest policy that finishes every job in time and says
 * what any cheaper one falls short by. When none does, it takes the policies that finished the
 * most jobs, of those the ones that missed the fewest deadlines, and of those the cheapest.
 * Pure: tested in Node (test/web-sim-cheapest.test.ts).
 */
export interface PolicyOutcome {
  policy: string;
  cost: { total: string };
  jobs: { total: number; finished: number; deadlineMisses: number };
}

export interface CheapestChoice<P> {
  /** The policy the card names. */
  best: P;
  /** Whether it finished every job and missed no deadline. */
  meets: boolean;
  /** The cheapest policy of all, when it is cheaper than `best` (it falls short). */
  cheaper?: P;
}

const cost = (p: PolicyOutcome) => Number(p.cost.total);
const byCost = <P extends PolicyOutcome>(ps: P[]) => [...ps].sort((a, b) => cost(a) - cost(b));

export function meetsAll(p: PolicyOutcome): boolean {
  return p.jobs.finished === p.jobs.total && p.jobs.deadlineMisses === 0;
}

/** What the policy falls short by, in words ('' when it finishes every job in time). */
export function shortfall(p: PolicyOutcome): string {
  const misses = p.jobs.deadlineMisses;
  const unfinished = p.jobs.total - p.jobs.finished;
  return [misses > 0 ? `${misses.toLocaleString('en-US')} deadline miss${misses === 1 ? '' : 'es'}` : '', unfinished > 0 ? `${unfinished.toLocaleString('en-US')} of ${p.jobs.total.toLocaleString('en-US')} jobs not finished` : ''].filter(Boolean).join(', ');
}

export function cheapestPolicy<P extends PolicyOutcome>(policies: P[]): CheapestChoice<P> | undefined {
  if (policies.length === 0) return undefined;
  const all = byCost(policies);
  const good = all.find(meetsAll);
  let best: P;
  if (good) best = good;
  else {
    const finished = Math.max(...policies.map((p) => p.jobs.finished));
    const done = all.filter((p) => p.jobs.finished === finished);
    const fewest = Math.min(...done.map((p) => p.jobs.deadlineMisses));
    best = done.find((p) => p.jobs.deadlineMisses === fewest)!;
  }
  const cheaper = cost(all[0]!) < cost(best) ? all[0] : undefined;
  return { best, meets: good !== undefined, ...(cheaper && { cheaper }) };
}
