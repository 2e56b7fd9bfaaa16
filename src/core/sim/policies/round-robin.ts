import { candidate, policy } from './policy.js';

/** Load balancing: nodes in turn, starting after the node used last. */
export const roundRobin = () => {
  let next = 0;
  return policy({
    name: 'round-robin',
    summary: 'nodes in turn (load balancing)',
    pickNode(ctx, j, poolOk, exclude) {
      const n = ctx.c.n;
      for (let k = 0; k < n; k++) {
        const i = (next + k) % n;
        if (candidate(ctx, i, j, poolOk, exclude)) {
          next = (i + 1) % n;
          return i;
        }
      }
      return -1;
    },
  });
};
