import { candidate, policy } from './policy.js';

/** A node drawn at random (seeded) among those that fit: the baseline of the fragmentation paper. */
export const randomFit = () =>
  policy({
    name: 'random-fit',
    summary: 'a random node that fits (seeded)',
    pickNode(ctx, j, poolOk, exclude) {
      // Reservoir sampling: one pass, uniform over the candidates, one draw per candidate.
      let chosen = -1;
      let seen = 0;
      for (let n = 0; n < ctx.c.n; n++) {
        if (!candidate(ctx, n, j, poolOk, exclude)) continue;
        seen++;
        if (ctx.rng.int(seen) === 0) chosen = n;
      }
      return chosen;
    },
  });
