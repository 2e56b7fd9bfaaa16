/**
 * The simulations page's "Cheapest" card: a policy that left jobs unfinished is cheaper for having
 * done less work, so the cheapest is taken among the policies that finished the most jobs, and the
 * others are counted as not compared. Pure: tested in Node (test/web-sim-cheapest.test.ts).
 */
export interface PolicyOutcome {
  policy: string;
  cost: { total: string };
  jobs: { finished: number };
}

export function cheapestPolicy<P extends PolicyOutcome>(policies: P[]): { best: P; finished: number; fewer: number } | undefined {
  if (policies.length === 0) return undefined;
  const finished = Math.max(...policies.map((p) => p.jobs.finished));
  const done = policies.filter((p) => p.jobs.finished === finished);
  const best = [...done].sort((a, b) => Number(a.cost.total) - Number(b.cost.total))[0]!;
  return { best, finished, fewer: policies.length - done.length };
}
