import { UP } from '../cluster.js';
import { policy } from './policy.js';

/** The node left with the least free GPU and CPU after placing the job (tightest fit). */
export const bestFit = () =>
  policy({
    name: 'best-fit',
    summary: 'node left with the least free GPU and CPU',
    // The scan is written out (no score callback): best-fit is the default placement and runs once
    // per job start, over every node.
    pickNode(ctx, j, poolOk, exclude) {
      const { c, d } = ctx;
      const gpuNeed = d.gpuDemandMilli(j);
      const cpuNeed = d.cpu[j]!;
      let best = -1;
      let bestScore = Infinity;
      for (let p = 0; p < c.pools.length; p++) {
        if (poolOk[p] !== 1) continue;
        if (c.poolIndexed[p] === 0) {
          // A small pool: node by node (the index would cost more than it saves). Its nodes share
          // their capacities, so the score times gpuCap·cpuCap is compared instead: exact in
          // doubles (products below 2^53), no division per node; one division for the pool's best.
          const pool = c.pools[p]!;
          const gpuCap = pool.gpusPerNode * 1000;
          const cpuCap = pool.cpuMilliPerNode;
          let poolBest = -1;
          let poolScaled = Infinity;
          for (let n = c.poolFirst[p]!, end = c.poolEnd[p]!; n < end; n++) {
            if (n === exclude || c.state[n] !== UP || !c.fits(n, d, j)) continue;
            const scaled = (gpuCap > 0 ? (gpuCap - c.usedMilli[n]! - gpuNeed) * cpuCap : 0) + (c.freeCpu[n]! - cpuNeed) * (gpuCap > 0 ? gpuCap : 1);
            if (scaled < poolScaled) {
              poolScaled = scaled;
              poolBest = n;
            }
          }
          if (poolBest >= 0) {
            const s = poolScaled / ((gpuCap > 0 ? gpuCap : 1) * cpuCap);
            if (s < bestScore) {
              bestScore = s;
              best = poolBest;
            }
          }
          continue;
        }
        // A pool's nodes share their capacities, so a node's score is its free share less the
        // job's need: a block whose least free share cannot beat the best so far is skipped.
        const pool = c.pools[p]!;
        const gpuCapPool = pool.gpusPerNode * 1000;
        const need = (gpuCapPool > 0 ? gpuNeed / gpuCapPool : 0) + cpuNeed / pool.cpuMilliPerNode;
        for (let b = c.poolBlockFirst[p]!, bEnd = c.poolBlockEnd[p]!; b < bEnd; b++) {
          // Strictly above (with room for rounding): an equal score in a later block loses the tie anyway.
          if (!c.blockMayFit(b, d, j) || c.blockMinFree(b) - need > bestScore + 1e-9) continue;
          for (let n = c.blockFirst[b]!, end = c.blockEnd[b]!; n < end; n++) {
            if (n === exclude || c.state[n] !== UP || !c.fits(n, d, j)) continue;
            const gpuCap = c.gpuCount[n]! * 1000;
            const s = (gpuCap > 0 ? (gpuCap - c.usedMilli[n]! - gpuNeed) / gpuCap : 0) + (c.freeCpu[n]! - cpuNeed) / c.cpuCap[n]!;
            if (s < bestScore) {
              bestScore = s;
              best = n;
            }
          }
        }
      }
      return best;
    },
  });
