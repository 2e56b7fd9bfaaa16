/**
 * Cluster state on flat typed arrays: one slot per node a pool may ever have, GPUs as free
 * thousandths (`gpu_milli`) so several jobs can share one GPU. The hot loop of the simulator reads
 * and writes only these arrays.
 */
import type { NodePool, SimJob } from './model.js';

export const OFF = 0;
export const PROVISIONING = 1;
export const UP = 2;

/** Job demands in typed arrays, with each job's set of acceptable pools precomputed. */
export class Demands {
  readonly n: number;
  readonly gpus: Int32Array;
  readonly milli: Int32Array;
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  /** Index into `classes`: jobs with the same GPU-type constraint share one pool filter. */
  readonly cls: Int32Array;
  /** classes[c][p] = 1 when a job of class c may run on pool p (GPU type only). */
  readonly classes: Uint8Array[];
  constructor(jobs: readonly SimJob[], pools: readonly NodePool[]) {
    this.n = jobs.length;
    this.gpus = new Int32Array(this.n);
    this.milli = new Int32Array(this.n);
    this.cpu = new Float64Array(this.n);
    this.mem = new Float64Array(this.n);
    this.cls = new Int32Array(this.n);
    this.classes = [];
    const byKey = new Map<string, number>();
    for (let j = 0; j < this.n; j++) {
      const job = jobs[j]!;
      this.gpus[j] = job.gpus;
      this.milli[j] = job.gpus > 0 ? job.gpuMilli : 0;
      this.cpu[j] = job.cpuMilli;
      this.mem[j] = job.memoryMib;
      const key = job.gpus > 0 && job.gpuTypes ? job.gpuTypes.join('|') : '*';
      let c = byKey.get(key);
      if (c === undefined) {
        c = this.classes.length;
        const allowed = new Uint8Array(pools.length);
        for (let p = 0; p < pools.length; p++) allowed[p] = key === '*' || job.gpuTypes!.includes(pools[p]!.gpuType) ? 1 : 0;
        this.classes.push(allowed);
        byKey.set(key, c);
      }
      this.cls[j] = c;
    }
  }
  /** GPU demand in thousandths of a GPU. */
  gpuDemandMilli(j: number): number {
    return this.gpus[j]! * this.milli[j]!;
  }
}

export class Cluster {
  readonly pools: readonly NodePool[];
  /** Slots (nodes that exist or may exist). */
  readonly n: number;
  /** GPUs per slot in the flat GPU array (the largest pool's). */
  readonly stride: number;
  readonly nodePool: Int32Array;
  readonly poolFirst: Int32Array;
  readonly poolEnd: Int32Array;
  readonly state: Uint8Array;
  readonly gpuCount: Int32Array;
  readonly cpuCap: Float64Array;
  readonly memCap: Float64Array;
  readonly freeCpu: Float64Array;
  readonly freeMem: Float64Array;
  /** Free thousandths of each GPU: gpuFree[node * stride + g]. */
  readonly gpuFree: Int32Array;
  /** GPUs with nothing on them, per node. */
  readonly fullFree: Int32Array;
  readonly usedMilli: Int32Array;
  readonly jobsOn: Int32Array;
  /** Integrals for the metrics: allocated GPU-thousandth-seconds and seconds up (or provisioning). */
  readonly busyMilliS: Float64Array;
  readonly aliveS: Float64Array;
  readonly lastT: Float64Array;
  readonly upSince: Float64Array;
  /** Bumped on every change to a node, so policies can cache per-node scores. */
  readonly version: Int32Array;
  /** Sum of free GPU thousandths over nodes that are up: a cheap "can it fit anywhere" bound. */
  totalFreeMilli = 0;

  constructor(pools: readonly NodePool[]) {
    this.pools = pools;
    let n = 0;
    let stride = 1;
    for (const p of pools) {
      n += p.maxNodes;
      stride = Math.max(stride, p.gpusPerNode);
    }
    if (stride > 31) throw new RangeError('at most 31 GPUs per node');
    this.n = n;
    this.stride = stride;
    this.nodePool = new Int32Array(n);
    this.poolFirst = new Int32Array(pools.length);
    this.poolEnd = new Int32Array(pools.length);
    this.state = new Uint8Array(n);
    this.gpuCount = new Int32Array(n);
    this.cpuCap = new Float64Array(n);
    this.memCap = new Float64Array(n);
    this.freeCpu = new Float64Array(n);
    this.freeMem = new Float64Array(n);
    this.gpuFree = new Int32Array(n * stride);
    this.fullFree = new Int32Array(n);
    this.usedMilli = new Int32Array(n);
    this.jobsOn = new Int32Array(n);
    this.busyMilliS = new Float64Array(n);
    this.aliveS = new Float64Array(n);
    this.lastT = new Float64Array(n);
    this.upSince = new Float64Array(n);
    this.version = new Int32Array(n);
    let k = 0;
    pools.forEach((p, pi) => {
      this.poolFirst[pi] = k;
      for (let i = 0; i < p.maxNodes; i++, k++) {
        this.nodePool[k] = pi;
        this.gpuCount[k] = p.gpusPerNode;
        this.cpuCap[k] = p.cpuMilliPerNode;
        this.memCap[k] = p.memoryMibPerNode;
      }
      this.poolEnd[pi] = k;
    });
  }

  /** A node starts (billing begins at `t`); it takes jobs only once `up`. */
  provision(node: number, t: number): void {
    this.state[node] = PROVISIONING;
    this.upSince[node] = t;
  }

  up(node: number, t: number): void {
    this.version[node] = this.version[node]! + 1;
    this.state[node] = UP;
    this.freeCpu[node] = this.cpuCap[node]!;
    this.freeMem[node] = this.memCap[node]!;
    const g = this.gpuCount[node]!;
    for (let i = 0; i < g; i++) this.gpuFree[node * this.stride + i] = 1000;
    this.fullFree[node] = g;
    this.usedMilli[node] = 0;
    this.jobsOn[node] = 0;
    this.lastT[node] = t;
    this.totalFreeMilli += g * 1000;
  }

  /** Switch a node off (its jobs must have been removed first). */
  off(node: number, t: number): void {
    this.version[node] = this.version[node]! + 1;
    if (this.state[node] === UP) {
      this.account(node, t);
      this.totalFreeMilli -= this.gpuCount[node]! * 1000 - this.usedMilli[node]!;
    }
    if (this.state[node] !== OFF) this.aliveS[node] = this.aliveS[node]! + (t - this.upSince[node]!);
    this.state[node] = OFF;
  }

  /** Close the books of every node at the end of the run. */
  closeAt(t: number): void {
    for (let i = 0; i < this.n; i++) {
      if (this.state[i] === UP) this.account(i, t);
      if (this.state[i] !== OFF) {
        this.aliveS[i] = this.aliveS[i]! + (t - this.upSince[i]!);
        this.upSince[i] = t;
      }
    }
  }

  private account(node: number, t: number): void {
    this.busyMilliS[node] = this.busyMilliS[node]! + this.usedMilli[node]! * (t - this.lastT[node]!);
    this.lastT[node] = t;
  }

  /** Does the job fit on this node now (resources only; the caller checks pool and state)? */
  fits(node: number, d: Demands, j: number): boolean {
    if (this.freeCpu[node]! < d.cpu[j]! || this.freeMem[node]! < d.mem[j]!) return false;
    const g = d.gpus[j]!;
    if (g === 0) return true;
    const m = d.milli[j]!;
    if (m >= 1000 || g > 1) return this.fullFree[node]! >= g;
    const base = node * this.stride;
    const end = base + this.gpuCount[node]!;
    for (let i = base; i < end; i++) if (this.gpuFree[i]! >= m) return true;
    return false;
  }

  /** Would the job fit on an empty node of this pool? */
  fitsEmpty(pool: number, d: Demands, j: number): boolean {
    const p = this.pools[pool]!;
    return p.cpuMilliPerNode >= d.cpu[j]! && p.memoryMibPerNode >= d.mem[j]! && p.gpusPerNode >= d.gpus[j]!;
  }

  /** Take the job's resources on `node`; returns the mask of GPUs used. Sharing jobs go to the fullest GPU they fit on. */
  allocate(node: number, d: Demands, j: number, t: number): number {
    this.account(node, t);
    this.version[node] = this.version[node]! + 1;
    this.freeCpu[node] = this.freeCpu[node]! - d.cpu[j]!;
    this.freeMem[node] = this.freeMem[node]! - d.mem[j]!;
    this.jobsOn[node] = this.jobsOn[node]! + 1;
    const g = d.gpus[j]!;
    if (g === 0) return 0;
    const m = d.milli[j]!;
    const base = node * this.stride;
    const count = this.gpuCount[node]!;
    let mask = 0;
    if (m < 1000 && g === 1) {
      let best = -1;
      for (let i = 0; i < count; i++) {
        const f = this.gpuFree[base + i]!;
        if (f >= m && (best < 0 || f < this.gpuFree[base + best]!)) best = i;
      }
      if (best < 0) throw new RangeError(`internal: job ${j} does not fit node ${node}`);
      if (this.gpuFree[base + best] === 1000) this.fullFree[node] = this.fullFree[node]! - 1;
      this.gpuFree[base + best] = this.gpuFree[base + best]! - m;
      mask = 1 << best;
    } else {
      let need = g;
      for (let i = 0; i < count && need > 0; i++) {
        if (this.gpuFree[base + i] === 1000) {
          this.gpuFree[base + i] = 0;
          mask |= 1 << i;
          need--;
        }
      }
      if (need > 0) throw new RangeError(`internal: job ${j} does not fit node ${node}`);
      this.fullFree[node] = this.fullFree[node]! - g;
    }
    const used = g * m;
    this.usedMilli[node] = this.usedMilli[node]! + used;
    this.totalFreeMilli -= used;
    return mask;
  }

  release(node: number, d: Demands, j: number, mask: number, t: number): void {
    this.account(node, t);
    this.version[node] = this.version[node]! + 1;
    this.freeCpu[node] = this.freeCpu[node]! + d.cpu[j]!;
    this.freeMem[node] = this.freeMem[node]! + d.mem[j]!;
    this.jobsOn[node] = this.jobsOn[node]! - 1;
    const g = d.gpus[j]!;
    if (g === 0) return;
    const m = d.milli[j]!;
    const base = node * this.stride;
    for (let i = 0; mask !== 0; i++, mask >>>= 1) {
      if (mask & 1) {
        const f = this.gpuFree[base + i]! + m;
        this.gpuFree[base + i] = f;
        if (f === 1000) this.fullFree[node] = this.fullFree[node]! + 1;
      }
    }
    const used = g * m;
    this.usedMilli[node] = this.usedMilli[node]! - used;
    this.totalFreeMilli += used;
  }
}
