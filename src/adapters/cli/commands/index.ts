/**
 * Every command, in the order `penny --help` lists them. Each is loaded only when it runs (or its
 * own help is asked for): `penny --version` and `penny --help` load none of them, nor the database,
 * solver or server they pull in. The name, term and description here are what the top-level help
 * shows; program.test.ts checks them against each command's own registration.
 */
import type { RegisterCommand } from '../context.js';

export interface CommandEntry {
  name: string;
  /** As the help lists it: `cost [options] <scenario>`. */
  term: string;
  description: string;
  load: () => Promise<RegisterCommand>;
}

export const commands: CommandEntry[] = [
  { name: 'demo', term: 'demo [options]', description: 'build the demo workspace from bundled example data and print a one-screen summary', load: async () => (await import('./demo.js')).registerDemo },
  { name: 'init', term: 'init', description: 'create a workspace (the embedded database) in ./.penny or --workspace DIR', load: async () => (await import('./init.js')).registerInit },
  { name: 'validate', term: 'validate [options] <scenario>', description: 'check a scenario file and report every problem with its line and field', load: async () => (await import('./validate.js')).registerValidate },
  { name: 'cost', term: 'cost [options] <scenario>', description: 'total cost of ownership of a scenario, by category or by resource', load: async () => (await import('./cost.js')).registerCost },
  { name: 'catalog', term: 'catalog [options]', description: 'GPU offerings cheapest first, with the price per GPU-hour (built-in list prices or your catalog files)', load: async () => (await import('./catalog.js')).registerCatalog },
  { name: 'plan', term: 'plan [options] <scenario>', description: 'the cheapest mix of GPUs (on-prem, reserved, on-demand, spot) that covers demand, solved as a MILP with HiGHS', load: async () => (await import('./plan.js')).registerPlan },
  { name: 'forecast', term: 'forecast [options] <source>', description: 'forecast demand from history, with backtested accuracy and P10/P50/P90 intervals', load: async () => (await import('./forecast.js')).registerForecast },
  { name: 'simulate', term: 'simulate [options] <scenario>', description: 'replay a GPU job trace on a modelled cluster and cost each scheduling policy', load: async () => (await import('./simulate.js')).registerSimulate },
  { name: 'serving', term: 'serving [options] <trace>', description: 'inference serving at least cost: every load balancer × autoscaler simulated on a request trace against a latency SLO, and the cheapest replica plan', load: async () => (await import('./serving.js')).registerServing },
  { name: 'ingest', term: 'ingest [options] <path>', description: 'take billing exports (FOCUS CSV, gzip or Parquet) and nvidia-smi logs into the workspace, once each', load: async () => (await import('./ingest.js')).registerIngest },
  { name: 'report', term: 'report [options]', description: 'billing spend grouped by any FOCUS column or tag, over time, with list vs effective cost', load: async () => (await import('./report.js')).registerReport },
  { name: 'billing', term: 'billing', description: 'the ingested billing files: list them with their totals, or take one out', load: async () => (await import('./billing.js')).registerBilling },
  { name: 'budget', term: 'budget', description: 'monthly budgets on billing spend: burn, forecast overrun, alerts and the actions that close it', load: async () => (await import('./budget.js')).registerBudget },
  { name: 'gpu', term: 'gpu', description: 'GPU telemetry: ingest nvidia-smi / DCGM (Prometheus), usage and energy, idle and waste', load: async () => (await import('./gpu.js')).registerGpu },
  { name: 'storage', term: 'storage', description: 'storage cost: tier plans from access history, the storage price catalog', load: async () => (await import('./storage.js')).registerStorage },
  { name: 'serve', term: 'serve [options]', description: 'serve the HTTP API and the web dashboard on the workspace', load: async () => (await import('./serve.js')).registerServe },
];
