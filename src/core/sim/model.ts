/**
 * The simulator's inputs: node pools (what the cluster is made of and what it costs) and jobs
 * (what runs on it). Plain data; importers build them, the engine reads them and never mutates them.
 */
import type { Decimal } from '../money.js';
import type { SpotTrace } from '../model/spot.js';

/** How a pool's nodes are paid for. */
export type Pricing = 'on-prem' | 'on-demand' | 'spot';

export interface NodePool {
  name: string;
  /** GPU model of every node in the pool ("" for CPU-only nodes). */
  gpuType: string;
  gpusPerNode: number;
  cpuMilliPerNode: number;
  memoryMibPerNode: number;
  pricing: Pricing;
  /** Cost of one node for one hour: the cloud price, or for on-prem amortisation plus fixed costs (energy is added separately). */
  pricePerNodeHour: Decimal;
  /** Nodes present from time 0 to the end (on-prem or a permanent baseline). */
  fixedNodes: number;
  /** Upper bound on nodes; those above fixedNodes are provisioned when jobs need them and released when idle. */
  maxNodes: number;
  provisioningDelayS: number;
  /** An autoscaled node idle this long is released. */
  idleTimeoutS: number;
  idlePowerW: number;
  /** Power of a node with every GPU busy; in between it is interpolated by GPU allocation. */
  busyPowerW: number;
  /** Relative throughput of one GPU (1 = the reference the jobs' work is measured on). */
  speed: number;
  /** Spot only: spot nodes allowed per sample (cyclic; Infinity = no bound, 0 = unavailable), as core/model/spot.ts spotCapacity reads a trace. */
  spotTrace?: SpotTrace;
  /** Spot only: preemptions per node-hour while running (exponential inter-arrival). */
  preemptionRatePerHour?: number;
  /**
   * Spot only: the warning the cloud gives before it takes a node back (AWS: 120 s; GCP and Azure:
   * 30 s). A job that checkpoints on a notice (SimJob.checkpointOnNoticeWriteS) uses it.
   */
  spotNoticeS?: number;
  /**
   * Nodes the pool may have in each period from time 0 (a plan's instance counts; after the last
   * period the last count: give a horizon at the plan's end). Applied as a spot trace's count is:
   * when it falls, the excess nodes go (idle ones first). Every value is at most maxNodes.
   */
  schedule?: { periodS: number; maxNodes: readonly number[] };
}

export interface SimJob {
  id: string;
  arrivalS: number;
  /** Whole GPUs, all nodes together; 0 for CPU-only jobs. */
  gpus: number;
  /**
   * A gang: the job runs on this many nodes at once, all started together or none, `gpus`,
   * `cpuMilli` and `memoryMib` split equally among them. Without it, a job needing more GPUs than
   * the largest node it may use is split into the fewest equal shares that fit (core/sim/gang.ts).
   */
  nodes?: number;
  /** Share of each GPU in thousandths (1000 = the whole GPU); below 1000 only when gpus = 1 (GPU sharing). */
  gpuMilli: number;
  cpuMilli: number;
  memoryMib: number;
  /** Acceptable GPU models; undefined = any. */
  gpuTypes?: string[];
  /** Work in seconds on a speed-1 GPU; Infinity = runs until the horizon (a service). */
  workS: number;
  /** Larger runs first under the priority policy. */
  priority: number;
  /** Absolute time by which the job should finish. */
  deadlineS?: number;
  /** Work is saved every this many seconds of running; 0 = never (a preemption loses everything). */
  checkpointIntervalS: number;
  /** Time lost on every restart after a preemption (loading the checkpoint). */
  restartOverheadS: number;
  /**
   * Seconds the job takes to write a checkpoint when warned of a preemption; undefined = it does
   * not checkpoint on a notice (only its periodic checkpoints count). When the pool's notice
   * (NodePool.spotNoticeS) is at least this long, a preempted job keeps its work up to the notice.
   */
  checkpointOnNoticeWriteS?: number;
}

export interface Energy {
  /** Price of one kWh in the scenario currency. */
  pricePerKwh: Decimal;
  /** Power usage effectiveness: facility energy / IT energy. */
  pue: number;
}

export interface SimInput {
  pools: NodePool[];
  jobs: SimJob[];
  energy: Energy;
  currency: string;
  /** Stop here; undefined = when every finite job is done. */
  horizonS?: number;
  seed: number;
}
