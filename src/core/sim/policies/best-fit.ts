import { lowestScore, policy } from './policy.js';

/** The node left with the least free GPU and CPU after placing the job (tightest fit). */
export const bestFit = () =>
  policy({
    name: 'best-fit',
    summary: 'node left with the least free GPU and CPU',
    pickNode(ctx, j, poolOk, exclude) {
      const { c, d } = ctx;
      const gpuNeed = d.gpuDemandMilli(j);
      return lowestScore(ctx, j, poolOk, exclude, (n) => {
        const gpuCap = c.gpuCount[n]! * 1000;
        const gpuLeft = gpuCap > 0 ? (gpuCap - c.usedMilli[n]! - gpuNeed) / gpuCap : 0;
        return gpuLeft + (c.freeCpu[n]! - d.cpu[j]!) / c.cpuCap[n]!;
      });
    },
  });
