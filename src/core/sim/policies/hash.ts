import { candidate, policy } from './policy.js';

/** FNV-1a: a stable hash of the job's name, the same on every run and machine. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Load balancing: the node the job's name hashes to, or the next one that fits (linear probing). */
export const hashPlacement = () =>
  policy({
    name: 'hash',
    summary: 'node chosen by a hash of the job name (load balancing)',
    pickNode(ctx, j, poolOk, exclude) {
      const n = ctx.c.n;
      const start = fnv1a(ctx.jobId(j)) % n;
      for (let k = 0; k < n; k++) {
        const i = (start + k) % n;
        if (candidate(ctx, i, j, poolOk, exclude)) return i;
      }
      return -1;
    },
  });
