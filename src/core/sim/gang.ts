/**
 * Gang jobs: a job that needs more GPUs than one node has (or asks for several nodes) runs as
 * members, one per node slot, all started together or none, and preempted together. The engine
 * schedules members as jobs of their own; this module splits jobs into members and maps them back.
 */
import type { NodePool, SimJob } from './model.js';

export interface Gangs {
  /** The jobs in arrival order (stable), members of one gang next to each other, leader first. */
  jobs: SimJob[];
  /** For each engine job: its gang's leader (itself when alone). */
  lead: Int32Array;
  /** Next member of the same gang, -1 after the last. */
  next: Int32Array;
  /** Members in the gang, on the leader (1 for a job alone). */
  size: Int32Array;
  /** The job in `sorted` each engine job belongs to. */
  origin: Int32Array;
  /** The input's jobs in arrival order (stable): what the report is about. */
  sorted: SimJob[];
  /** True when some job was split. */
  any: boolean;
}

/**
 * Members of a gang (each asking `gpusPerMember` GPUs) one node of `pool` holds: its GPUs divided
 * by theirs, at least one; a member without GPUs counts one per node.
 */
export function membersPerNode(pool: NodePool, gpusPerMember: number): number {
  return gpusPerMember > 0 ? Math.max(1, Math.floor(pool.gpusPerNode / gpusPerMember)) : 1;
}

/** Members a job runs as: its `nodes`, or when it needs more GPUs than the largest node it may use, the fewest equal shares that fit. */
export function membersOf(job: SimJob, pools: readonly NodePool[]): number {
  if (job.nodes !== undefined) return job.nodes;
  if (job.gpus <= 1) return 1;
  let largest = 0;
  for (const p of pools) if (!job.gpuTypes || job.gpuTypes.includes(p.gpuType)) largest = Math.max(largest, p.gpusPerNode);
  if (largest === 0 || job.gpus <= largest) return 1;
  let k = Math.ceil(job.gpus / largest);
  while (job.gpus % k !== 0) k++;
  return k;
}

export function splitGangs(input: readonly SimJob[], pools: readonly NodePool[]): Gangs {
  let sortedIn = true;
  for (let i = 1; i < input.length && sortedIn; i++) if (input[i]!.arrivalS < input[i - 1]!.arrivalS) sortedIn = false;
  const sorted = sortedIn
    ? input.slice()
    : input
        .map((j, i) => ({ j, i }))
        .sort((x, y) => x.j.arrivalS - y.j.arrivalS || x.i - y.i)
        .map((x) => x.j);
  const ks = sorted.map((j) => membersOf(j, pools));
  const total = ks.reduce((a, k) => a + k, 0);
  const any = total !== sorted.length;
  const lead = new Int32Array(total);
  const next = new Int32Array(total).fill(-1);
  const size = new Int32Array(total).fill(1);
  const origin = new Int32Array(total);
  if (!any) {
    for (let j = 0; j < total; j++) {
      lead[j] = j;
      origin[j] = j;
    }
    return { jobs: sorted, lead, next, size, origin, sorted, any };
  }
  const jobs: SimJob[] = [];
  sorted.forEach((job, i) => {
    const k = ks[i]!;
    const first = jobs.length;
    size[first] = k;
    for (let m = 0; m < k; m++) {
      const e = first + m;
      lead[e] = first;
      origin[e] = i;
      if (m < k - 1) next[e] = e + 1;
      jobs.push(k === 1 ? job : { ...job, id: m === 0 ? job.id : `${job.id}#${m}`, gpus: job.gpus / k, cpuMilli: Math.ceil(job.cpuMilli / k), memoryMib: Math.ceil(job.memoryMib / k) });
    }
  });
  return { jobs, lead, next, size, origin, sorted, any };
}
