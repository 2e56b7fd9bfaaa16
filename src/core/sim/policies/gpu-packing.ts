import { lowestScore, policy } from './policy.js';

/**
 * GPU packing: GPUs already in use first (a sharing job onto a partly used GPU), then idle GPUs on
 * nodes already in use, then idle nodes; within a tier the fullest node.
 */
export const gpuPacking = () =>
  policy({
    name: 'gpu-packing',
    summary: 'occupied GPUs first, then active nodes, then idle nodes',
    pickNode(ctx, j, poolOk, exclude) {
      const { c, d } = ctx;
      const sharing = d.gpus[j] === 1 && d.milli[j]! < 1000;
      return lowestScore(ctx, j, poolOk, exclude, (n) => {
        const g = c.gpuCount[n]!;
        const used = c.usedMilli[n]!;
        let tier = 2;
        if (used > 0) {
          tier = 1;
          if (sharing) {
            const base = n * c.stride;
            for (let i = 0; i < g; i++) {
              const f = c.gpuFree[base + i]!;
              if (f < 1000 && f >= d.milli[j]!) {
                tier = 0;
                break;
              }
            }
          }
        }
        return tier * 2 - (g > 0 ? used / (g * 1000) : 0);
      });
    },
  });
