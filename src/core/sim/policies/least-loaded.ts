import { lowestScore, policy } from './policy.js';

/** Load balancing: the node with the lowest share of its GPUs (CPU for CPU-only nodes) allocated. */
export const leastLoaded = () =>
  policy({
    name: 'least-loaded',
    summary: 'node with the lowest share allocated (load balancing)',
    pickNode(ctx, j, poolOk, exclude) {
      const c = ctx.c;
      return lowestScore(ctx, j, poolOk, exclude, (n) => {
        const g = c.gpuCount[n]!;
        return g > 0 ? c.usedMilli[n]! / (g * 1000) : 1 - c.freeCpu[n]! / c.cpuCap[n]!;
      });
    },
  });
