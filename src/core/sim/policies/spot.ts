import type { SlackReserveTuning, SpotHazardTuning, UniformProgressTuning } from '../spot.js';
import { policy } from './policy.js';

/**
 * Spot policies. They choose the market (spot or on-demand) per job; placement is first fit, within
 * the spot zone chosen by its past for spot-hazard and deadline-aware (engine/spot-view.ts chooseSpotZone).
 * The rules themselves live in core/sim/spot.ts, where the engine applies them.
 */
export const alwaysSpot = () => policy({ name: 'always-spot', summary: 'spot only; waits while spot is unavailable', market: 'always-spot' });
export const alwaysOnDemand = () => policy({ name: 'always-on-demand', summary: 'on-demand (and on-prem) only', market: 'always-on-demand' });
export const deadlineAware = (tuning?: UniformProgressTuning) =>
  policy({ name: 'deadline-aware', summary: 'spot while progress keeps pace with the deadline, on-demand in time (uniform progress); never misses a deadline while on-demand capacity exists', market: 'deadline-aware', ...(tuning && { tuning }) });
export const greedySpot = () =>
  policy({ name: 'greedy', summary: "spot while available, wait while not, on-demand for good at the last safe moment (Can't Be Late's baseline)", market: 'greedy' });
export const slackReserve = (reserveTuning?: SlackReserveTuning) =>
  policy({ name: 'slack-reserve', summary: 'spot while available; while it is gone, wait only down to a reserve of slack, then on-demand, and back to spot when it returns and the slack pays for a preemption; never misses a deadline while on-demand capacity exists', market: 'slack-reserve', ...(reserveTuning && { reserveTuning }) });
export const spotHazard = (hazardTuning?: SpotHazardTuning) =>
  policy({ name: 'spot-hazard', summary: "slack-reserve, going to spot only when the pool's past runs (those longer than spot's age now) say a run started now keeps enough work past its checkpoints; never misses a deadline while on-demand capacity exists", market: 'spot-hazard', ...(hazardTuning && { hazardTuning }) });
