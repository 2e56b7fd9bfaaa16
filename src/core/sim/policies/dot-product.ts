import { lowestScore, policy } from './policy.js';

/**
 * Dot-product (Tetris-style alignment): the node whose free CPU, memory and GPU, normalised by its
 * capacity, point most in the direction of the job's demand.
 */
export const dotProduct = () =>
  policy({
    name: 'dot-product',
    summary: 'node whose free resources align best with the demand',
    pickNode(ctx, j, poolOk, exclude) {
      const { c, d } = ctx;
      return lowestScore(ctx, j, poolOk, exclude, (n) => {
        const gpuCap = c.gpuCount[n]! * 1000;
        const gpuTerm = gpuCap > 0 ? (d.gpuDemandMilli(j) / gpuCap) * ((gpuCap - c.usedMilli[n]!) / gpuCap) : 0;
        return -((d.cpu[j]! / c.cpuCap[n]!) * (c.freeCpu[n]! / c.cpuCap[n]!) + (d.mem[j]! / c.memCap[n]!) * (c.freeMem[n]! / c.memCap[n]!) + gpuTerm);
      });
    },
  });
