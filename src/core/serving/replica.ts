/**
 * The replica model: what one copy of a model on a number of GPUs of one type can serve.
 *
 * A replica is described by a profile: prefill throughput (prompt tokens per second), the decode
 * step time (a step emits one token for every sequence in the batch; its time is the weights plus
 * the batch's KV cache read from GPU memory), the KV-cache capacity in tokens, the maximum batch
 * and the start-up time. Users give their own measured profiles (a CSV); the default table below
 * derives them from published hardware and model figures with the roofline method (prefill is
 * compute-bound: 2 FLOPs per parameter per token; decode is memory-bound: each step reads the
 * weights and the KV cache once). Kwon et al., "Efficient Memory Management for Large Language
 * Model Serving with PagedAttention" (SOSP 2023) describe the batching and KV-cache model.
 */
import { InvalidInput } from '../errors.js';

export interface ReplicaProfile {
  model: string;
  gpu: string;
  gpusPerReplica: number;
  /** Prompt tokens per second one replica processes (prefill is sequential per replica). */
  prefillTokensPerS: number;
  /** Decode step time with an empty KV cache: reading the weights once. */
  decodeStepBaseS: number;
  /** Added step time per KV-cache token resident in the batch. */
  decodeStepPerKvTokenS: number;
  /** KV-cache tokens that fit beside the weights. */
  kvCapacityTokens: number;
  /** Most sequences decoded together. */
  maxBatch: number;
  /** From launch to serving: machine, container and loading the weights. */
  startupS: number;
  /** Where the figures come from. */
  source: string;
}

export interface GpuSpec {
  gpu: string;
  memoryGB: number;
  /** HBM/GDDR bandwidth, GB/s. */
  bandwidthGBps: number;
  /** Dense BF16/FP16 tensor throughput, TFLOPS (no sparsity). */
  denseTflops: number;
  source: string;
}

export interface ModelSpec {
  model: string;
  paramsB: number;
  /** BF16 weights. */
  weightsGB: number;
  /** 2 (K and V) × layers × KV heads × head dim × 2 bytes, from the model's config.json. */
  kvBytesPerToken: number;
  source: string;
}

/** NVIDIA datasheets (dense figures: the datasheets' "with sparsity" numbers halved). */
export const GPU_SPECS: GpuSpec[] = [
  { gpu: 'H100', memoryGB: 80, bandwidthGBps: 3350, denseTflops: 989, source: 'NVIDIA H100 Tensor Core GPU datasheet (SXM: 80 GB, 3.35 TB/s, BF16 1,979 TFLOPS with sparsity)' },
  { gpu: 'H200', memoryGB: 141, bandwidthGBps: 4800, denseTflops: 989, source: 'NVIDIA H200 Tensor Core GPU datasheet (SXM: 141 GB, 4.8 TB/s, BF16 1,979 TFLOPS with sparsity)' },
  { gpu: 'A100-80GB', memoryGB: 80, bandwidthGBps: 2039, denseTflops: 312, source: 'NVIDIA A100 Tensor Core GPU datasheet (80 GB SXM: 2,039 GB/s, BF16 312 TFLOPS)' },
  { gpu: 'A100', memoryGB: 40, bandwidthGBps: 1555, denseTflops: 312, source: 'NVIDIA A100 Tensor Core GPU datasheet (40 GB: 1,555 GB/s, BF16 312 TFLOPS)' },
  { gpu: 'L40S', memoryGB: 48, bandwidthGBps: 864, denseTflops: 362, source: 'NVIDIA L40S datasheet (48 GB, 864 GB/s, BF16 733 TFLOPS with sparsity)' },
  { gpu: 'L4', memoryGB: 24, bandwidthGBps: 300, denseTflops: 121, source: 'NVIDIA L4 Tensor Core GPU datasheet (24 GB, 300 GB/s, BF16 242 TFLOPS with sparsity)' },
  { gpu: 'A10', memoryGB: 24, bandwidthGBps: 600, denseTflops: 125, source: 'NVIDIA A10 Tensor Core GPU datasheet (24 GB, 600 GB/s, BF16 250 TFLOPS with sparsity)' },
  { gpu: 'V100', memoryGB: 16, bandwidthGBps: 900, denseTflops: 125, source: 'NVIDIA V100 Tensor Core GPU datasheet (SXM2 16 GB, 900 GB/s, 125 TFLOPS tensor)' },
];

/** Parameter counts and KV layout from each model's Hugging Face config.json. */
export const MODEL_SPECS: ModelSpec[] = [
  { model: 'llama-3-8b', paramsB: 8.03, weightsGB: 16.1, kvBytesPerToken: 2 * 32 * 8 * 128 * 2, source: 'meta-llama/Meta-Llama-3-8B config.json: 32 layers, 8 KV heads, head dim 128' },
  { model: 'llama-2-13b', paramsB: 13.0, weightsGB: 26.0, kvBytesPerToken: 2 * 40 * 40 * 128 * 2, source: 'meta-llama/Llama-2-13b-hf config.json: 40 layers, 40 KV heads, head dim 128' },
  { model: 'llama-3-70b', paramsB: 70.6, weightsGB: 141.1, kvBytesPerToken: 2 * 80 * 8 * 128 * 2, source: 'meta-llama/Meta-Llama-3-70B config.json: 80 layers, 8 KV heads, head dim 128' },
];

/**
 * Assumptions of the derivation, stated so a user can replace them with measurements:
 * prefill reaches half the dense peak (model FLOPs utilisation 0.5), decode 70% of the memory
 * bandwidth; 90% of GPU memory is for weights and KV cache (vLLM's default
 * gpu_memory_utilization); at most 256 sequences per batch (vLLM's default max_num_seqs); start-up
 * is 60 s of machine and container plus the weights read at 2 GB/s.
 */
export const DERIVATION = { prefillMfu: 0.5, decodeBandwidthShare: 0.7, memoryShare: 0.9, maxBatch: 256, bootS: 60, loadGBps: 2 } as const;

/** A profile from the default table; the fewest GPUs (1, 2, 4, 8) that leave room for KV cache. */
export function deriveProfile(model: string, gpu: string, gpusPerReplica?: number): ReplicaProfile {
  const m = MODEL_SPECS.find((x) => x.model === model);
  const g = GPU_SPECS.find((x) => x.gpu === gpu);
  if (!m) throw new InvalidInput(`unknown model ${JSON.stringify(model)}`, [{ path: 'model', message: 'not in the default profile table', found: model, expected: MODEL_SPECS.map((x) => x.model).join(', ') }], 'Use a model of the default table or give your own profiles with --profiles.');
  if (!g) throw new InvalidInput(`unknown GPU ${JSON.stringify(gpu)}`, [{ path: 'gpu', message: 'not in the default profile table', found: gpu, expected: GPU_SPECS.map((x) => x.gpu).join(', ') }], 'Use a GPU of the default table or give your own profiles with --profiles.');
  const D = DERIVATION;
  const fits = (n: number) => g.memoryGB * n * D.memoryShare - m.weightsGB >= 0.2 * g.memoryGB * n;
  const n = gpusPerReplica ?? [1, 2, 4, 8].find(fits);
  if (n === undefined || !fits(n)) throw new InvalidInput(`${model} does not fit on ${gpusPerReplica ?? 8} × ${gpu}`, [{ path: 'gpu', message: `${m.weightsGB} GB of weights leave too little of ${g.memoryGB * (gpusPerReplica ?? 8)} GB for the KV cache`, found: gpu }], 'Choose a GPU with more memory or more GPUs per replica.');
  const bw = n * g.bandwidthGBps * 1e9 * D.decodeBandwidthShare;
  return {
    model,
    gpu,
    gpusPerReplica: n,
    prefillTokensPerS: (n * g.denseTflops * 1e12 * D.prefillMfu) / (2 * m.paramsB * 1e9),
    decodeStepBaseS: (m.weightsGB * 1e9) / bw,
    decodeStepPerKvTokenS: m.kvBytesPerToken / bw,
    kvCapacityTokens: Math.floor(((g.memoryGB * n * D.memoryShare - m.weightsGB) * 1e9) / m.kvBytesPerToken),
    maxBatch: D.maxBatch,
    startupS: D.bootS + m.weightsGB / D.loadGBps,
    source: `derived (roofline): ${g.source}; ${m.source}`,
  };
}

/** Every model × GPU of the default table that fits on at most 8 GPUs. */
export function defaultProfiles(): ReplicaProfile[] {
  const out: ReplicaProfile[] = [];
  for (const m of MODEL_SPECS) for (const g of GPU_SPECS) {
    try {
      out.push(deriveProfile(m.model, g.gpu));
    } catch {
      // does not fit: not offered
    }
  }
  return out;
}

/** Time per output token when `kvTokens` are resident in the batch. */
export function tpotS(p: ReplicaProfile, kvTokens: number): number {
  return p.decodeStepBaseS + p.decodeStepPerKvTokenS * kvTokens;
}

/**
 * Requests per second one replica sustains for a token mix (the planner's capacity): the lower of
 * the prefill bound and the batch bound (concurrency over the time a request holds a batch slot,
 * the batch being as full as memory and maxBatch allow).
 */
export function replicaCapacityPerS(p: ReplicaProfile, meanContext: number, meanGenerated: number): number {
  const perRequestTokens = Math.max(1, meanContext + meanGenerated);
  const prefillBound = p.prefillTokensPerS / Math.max(1, meanContext);
  const concurrency = Math.max(1, Math.min(p.maxBatch, Math.floor(p.kvCapacityTokens / perRequestTokens)));
  const holdS = meanContext / p.prefillTokensPerS + Math.max(0, meanGenerated - 1) * tpotS(p, concurrency * perRequestTokens);
  return Math.min(prefillBound, concurrency / Math.max(holdS, 1e-9));
}

/** Requests a replica holds at once and for how long, at its capacity (the autoscalers' targets). */
export function replicaLoadModel(p: ReplicaProfile, meanContext: number, meanGenerated: number): { capacityPerS: number; concurrency: number; holdS: number } {
  const perRequestTokens = Math.max(1, meanContext + meanGenerated);
  const concurrency = Math.max(1, Math.min(p.maxBatch, Math.floor(p.kvCapacityTokens / perRequestTokens)));
  const holdS = meanContext / p.prefillTokensPerS + Math.max(0, meanGenerated - 1) * tpotS(p, concurrency * perRequestTokens);
  return { capacityPerS: replicaCapacityPerS(p, meanContext, meanGenerated), concurrency, holdS };
}
