import { policy } from './policy.js';

/**
 * Performance-cost greedy: the pool with the highest throughput per dollar (GPU speed over the
 * price of a GPU-hour) first, first fit inside it; new nodes are bought the same way.
 */
export const perfCost = () => {
  let order: number[] | undefined;
  return policy({
    name: 'perf-cost',
    summary: 'highest throughput per dollar first',
    poolRank: 'perf-per-dollar',
    pickNode(ctx, j, poolOk, exclude) {
      const c = ctx.c;
      order ??= c.pools
        .map((p, i) => ({ i, v: perfPerDollar(p.speed, p.pricePerNodeHour.toNumber(), p.gpusPerNode) }))
        .sort((a, b) => b.v - a.v || a.i - b.i)
        .map((x) => x.i);
      for (const p of order) {
        if (poolOk[p] !== 1) continue;
        for (let b = c.poolBlockFirst[p]!, bEnd = c.poolBlockEnd[p]!; b < bEnd; b++) {
          if (!c.blockMayFit(b, ctx.d, j)) continue;
          for (let n = c.blockFirst[b]!, end = c.blockEnd[b]!; n < end; n++) {
            if (n !== exclude && c.state[n] === 2 && c.fits(n, ctx.d, j)) return n;
          }
        }
      }
      return -1;
    },
  });
};

/** Throughput per dollar of one GPU; a free GPU (price 0) ranks first. */
export function perfPerDollar(speed: number, pricePerNodeHour: number, gpusPerNode: number): number {
  const perGpu = pricePerNodeHour / Math.max(1, gpusPerNode);
  return perGpu > 0 ? speed / perGpu : Number.MAX_VALUE;
}
