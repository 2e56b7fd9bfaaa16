/**
 * Cluster state on flat typed arrays: one slot per node a pool may ever have, GPUs as free
 * thousandths (`gpu_milli`) so several jobs can share one GPU. The hot loop of the simulator reads
 * and writes only these arrays.
 */
import type { NodePool, SimJob } from './model.js';

/**
 * Nodes per block of the placement index. Each block (inside one pool) keeps the most any one of
 * its nodes has free of each resource and the least free share of any: a placement scan skips a
 * block where the job cannot fit (or, for best-fit, cannot score better than what it has), so a
 * scan over 1,000 nodes looks inside a few blocks. Blocks are refreshed lazily, on the first scan
 * after a change.
 */
export const BLOCK = 16;
/**
 * Pools with fewer nodes are scanned node by node: keeping the index costs more than it saves
 * there (measured: 64 nodes, FIFO 1.5M events/s plain against 1.25M indexed).
 */
export const INDEX_MIN_NODES = 128;

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
  /** Per node: the most thousandths free on one of its GPUs (kept by allocate/release/up). */
  readonly maxShare: Int32Array;
  /** The placement index (see BLOCK): node → block, each pool's blocks, each block's nodes. */
  readonly blockOf: Int32Array;
  readonly poolBlockFirst: Int32Array;
  readonly poolBlockEnd: Int32Array;
  readonly blockFirst: Int32Array;
  readonly blockEnd: Int32Array;
  /** Per block, over its nodes that are up: most whole free GPUs, most free on one GPU, most free CPU and memory. */
  readonly bFull: Int32Array;
  readonly bShare: Int32Array;
  readonly bCpu: Float64Array;
  readonly bMem: Float64Array;
  /** Per block: the least free share (GPU share + CPU share, as best-fit scores it) of its nodes that are up. */
  readonly bMinFree: Float64Array;
  readonly bDirty: Uint8Array;
  /** Per block: 1 when its pool is indexed (at least INDEX_MIN_NODES nodes). */
  readonly bIndexed: Uint8Array;
  /** Per pool: 1 when indexed. */
  readonly poolIndexed: Uint8Array;

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
    this.maxShare = new Int32Array(n);
    this.blockOf = new Int32Array(n);
    this.poolBlockFirst = new Int32Array(pools.length);
    this.poolBlockEnd = new Int32Array(pools.length);
    let blocks = 0;
    for (const p of pools) blocks += Math.ceil(p.maxNodes / BLOCK);
    this.blockFirst = new Int32Array(blocks);
    this.blockEnd = new Int32Array(blocks);
    this.bFull = new Int32Array(blocks);
    this.bShare = new Int32Array(blocks);
    this.bCpu = new Float64Array(blocks);
    this.bMem = new Float64Array(blocks);
    this.bMinFree = new Float64Array(blocks).fill(Infinity);
    this.bDirty = new Uint8Array(blocks).fill(1);
    this.bIndexed = new Uint8Array(blocks);
    this.poolIndexed = new Uint8Array(pools.length);
    let k = 0;
    let b = 0;
    pools.forEach((p, pi) => {
      this.poolFirst[pi] = k;
      this.poolBlockFirst[pi] = b;
      this.poolIndexed[pi] = p.maxNodes >= INDEX_MIN_NODES ? 1 : 0;
      for (let i = 0; i < p.maxNodes; i++, k++) {
        if (i % BLOCK === 0) {
          this.bIndexed[b] = p.maxNodes >= INDEX_MIN_NODES ? 1 : 0;
          this.blockFirst[b] = k;
          this.blockEnd[b] = Math.min(k + BLOCK, k - i + p.maxNodes);
          b++;
        }
        this.blockOf[k] = b - 1;
        this.nodePool[k] = pi;
        this.gpuCount[k] = p.gpusPerNode;
        this.cpuCap[k] = p.cpuMilliPerNode;
        this.memCap[k] = p.memoryMibPerNode;
      }
      this.poolEnd[pi] = k;
      this.poolBlockEnd[pi] = b;
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
    this.maxShare[node] = g > 0 ? 1000 : 0;
    this.bDirty[this.blockOf[node]!] = 1;
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
    this.bDirty[this.blockOf[node]!] = 1;
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
    // GPUs first: on a GPU cluster they run out first, and the test is on integers.
    const g = d.gpus[j]!;
    if (g > 0) {
      const m = d.milli[j]!;
      if (m >= 1000 || g > 1 ? this.fullFree[node]! < g : this.maxShare[node]! < m) return false;
    }
    return this.freeCpu[node]! >= d.cpu[j]! && this.freeMem[node]! >= d.mem[j]!;
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
    const b = this.blockOf[node]!;
    // Resources only shrink: the block's maxima stay valid unless this node held one of them.
    if (this.bIndexed[b] === 1 && this.bDirty[b] === 0 && (this.freeCpu[node] === this.bCpu[b] || this.freeMem[node] === this.bMem[b] || this.fullFree[node] === this.bFull[b] || this.maxShare[node] === this.bShare[b])) this.bDirty[b] = 1;
    this.freeCpu[node] = this.freeCpu[node]! - d.cpu[j]!;
    this.freeMem[node] = this.freeMem[node]! - d.mem[j]!;
    this.jobsOn[node] = this.jobsOn[node]! + 1;
    const g = d.gpus[j]!;
    if (g === 0) {
      if (this.bIndexed[b] === 1) {
        const f = this.freeShare(node);
        if (f < this.bMinFree[b]!) this.bMinFree[b] = f;
      }
      return 0;
    }
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
    this.updateShare(node);
    if (this.bIndexed[b] === 1) {
      const f = this.freeShare(node);
      if (f < this.bMinFree[b]!) this.bMinFree[b] = f;
    }
    return mask;
  }

  release(node: number, d: Demands, j: number, mask: number, t: number): void {
    this.account(node, t);
    this.version[node] = this.version[node]! + 1;
    const b = this.blockOf[node]!;
    // Resources only grow: the block's least free share stays valid unless this node held it.
    if (this.bIndexed[b] === 1 && this.bDirty[b] === 0 && this.freeShare(node) === this.bMinFree[b]) this.bDirty[b] = 1;
    this.freeCpu[node] = this.freeCpu[node]! + d.cpu[j]!;
    this.freeMem[node] = this.freeMem[node]! + d.mem[j]!;
    this.jobsOn[node] = this.jobsOn[node]! - 1;
    const g = d.gpus[j]!;
    if (g === 0) {
      this.raiseMaxima(b, node);
      return;
    }
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
    this.updateShare(node);
    this.raiseMaxima(b, node);
  }

  private raiseMaxima(b: number, node: number): void {
    if (this.bIndexed[b] !== 1 || this.bDirty[b] === 1) return;
    if (this.fullFree[node]! > this.bFull[b]!) this.bFull[b] = this.fullFree[node]!;
    if (this.maxShare[node]! > this.bShare[b]!) this.bShare[b] = this.maxShare[node]!;
    if (this.freeCpu[node]! > this.bCpu[b]!) this.bCpu[b] = this.freeCpu[node]!;
    if (this.freeMem[node]! > this.bMem[b]!) this.bMem[b] = this.freeMem[node]!;
  }

  private updateShare(node: number): void {
    const base = node * this.stride;
    let best = 0;
    for (let i = base, end = base + this.gpuCount[node]!; i < end; i++) if (this.gpuFree[i]! > best) best = this.gpuFree[i]!;
    this.maxShare[node] = best;
  }

  /** A node's free share as best-fit scores it: free GPU share + free CPU share. */
  freeShare(node: number): number {
    const gpuCap = this.gpuCount[node]! * 1000;
    return (gpuCap > 0 ? (gpuCap - this.usedMilli[node]!) / gpuCap : 0) + this.freeCpu[node]! / this.cpuCap[node]!;
  }

  private refresh(b: number): void {
    let full = -1;
    let share = -1;
    let cpu = -1;
    let mem = -1;
    let minFree = Infinity;
    for (let n = this.blockFirst[b]!, end = this.blockEnd[b]!; n < end; n++) {
      if (this.state[n] !== UP) continue;
      if (this.fullFree[n]! > full) full = this.fullFree[n]!;
      if (this.maxShare[n]! > share) share = this.maxShare[n]!;
      if (this.freeCpu[n]! > cpu) cpu = this.freeCpu[n]!;
      if (this.freeMem[n]! > mem) mem = this.freeMem[n]!;
      const f = this.freeShare(n);
      if (f < minFree) minFree = f;
    }
    this.bFull[b] = full;
    this.bShare[b] = share;
    this.bCpu[b] = cpu;
    this.bMem[b] = mem;
    this.bMinFree[b] = minFree;
    this.bDirty[b] = 0;
  }

  /** Could the job fit on some node of block b that is up? (False means none; true, perhaps one.) */
  blockMayFit(b: number, d: Demands, j: number): boolean {
    if (this.bIndexed[b] === 0) return true;
    if (this.bDirty[b] === 1) this.refresh(b);
    if (this.bCpu[b]! < d.cpu[j]! || this.bMem[b]! < d.mem[j]!) return false;
    const g = d.gpus[j]!;
    if (g === 0) return true;
    const m = d.milli[j]!;
    return m >= 1000 || g > 1 ? this.bFull[b]! >= g : this.bShare[b]! >= m;
  }

  /** Block b's least free share (refreshed): no node of it can score below this, less the job's need. */
  blockMinFree(b: number): number {
    if (this.bIndexed[b] === 0) return -Infinity;
    if (this.bDirty[b] === 1) this.refresh(b);
    return this.bMinFree[b]!;
  }

  /** Upper bounds over every node that is up, from the blocks: [whole GPUs, one GPU's share, CPU, memory]. */
  freeBounds(out: Float64Array): void {
    out[0] = out[1] = out[2] = out[3] = 0;
    for (let b = 0; b < this.bDirty.length; b++) {
      if (this.bIndexed[b] === 0) {
        // Not kept up to date: read the nodes.
        for (let n = this.blockFirst[b]!, end = this.blockEnd[b]!; n < end; n++) {
          if (this.state[n] !== UP) continue;
          if (this.fullFree[n]! > out[0]!) out[0] = this.fullFree[n]!;
          if (this.freeCpu[n]! > out[2]!) out[2] = this.freeCpu[n]!;
          if (this.freeMem[n]! > out[3]!) out[3] = this.freeMem[n]!;
          if (this.maxShare[n]! > out[1]!) out[1] = this.maxShare[n]!;
        }
        continue;
      }
      if (this.bDirty[b] === 1) this.refresh(b);
      if (this.bFull[b]! > out[0]!) out[0] = this.bFull[b]!;
      if (this.bShare[b]! > out[1]!) out[1] = this.bShare[b]!;
      if (this.bCpu[b]! > out[2]!) out[2] = this.bCpu[b]!;
      if (this.bMem[b]! > out[3]!) out[3] = this.bMem[b]!;
    }
  }
}
