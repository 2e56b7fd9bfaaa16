/**
 * The discrete-event engine. A simulated clock jumps from event to event: job arrival, job finish,
 * node provisioned, idle node released, spot preemption, spot availability change, and a policy's
 * wake-up. After the events of one instant, the policy schedules what it can. Arrivals are read
 * from the (sorted) trace instead of being pushed into the heap, so the heap holds only what is
 * in flight. Everything the hot loop touches is a typed array; money is computed afterwards
 * (metrics.ts), once per node, from exact prices.
 *
 * This file is the engine's public face; the engine itself is in engine/, one file per part, each
 * a set of functions over one state object (engine/state.ts):
 * - run.ts: a run from input to RawRun (setup, loop, closing the books, gangs put back together)
 * - setup.ts: the state filled for a run (jobs into typed arrays, pools, fixed nodes)
 * - loop.ts: the event loop (what happens in an instant, event dispatch, the run's end)
 * - schedule.ts: the scheduling pass (head, skip, EASY backfill) and its shortcuts
 * - jobs.ts: the queue, a job's start, finish and preemption
 * - nodes.ts: provisioning, idle timers, release, eviction
 * - gangs.ts: jobs across nodes, started and stopped whole
 * - market.ts: spot or on-demand for each job, the last safe moment, planned moves
 * - spot-events.ts: a pool's spot count changing, moves back to spot, spot-hazard's ticks
 * - spot-view.ts: what the spot rules read of a job and the pools (spot-hazard's past included)
 * - capacity.ts: the nodes a pool's spot trace and schedule allow over time
 */
export { runEngine, type RawRun } from './engine/run.js';
export { capacityViolations } from './engine/loop.js';
export { FINISHED, NOT_ARRIVED, QUEUED, RUNNING, SCAN_DEPTH, UNSCHEDULABLE, WAITING, type EngineOptions } from './engine/state.js';
