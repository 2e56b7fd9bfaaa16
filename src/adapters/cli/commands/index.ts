/** Every command, in the order `penny --help` lists them. One line per command. */
import type { RegisterCommand } from '../context.js';
import { registerDemo } from './demo.js';
import { registerInit } from './init.js';
import { registerValidate } from './validate.js';
import { registerCost } from './cost.js';
import { registerServe } from './serve.js';
import { registerIngest } from './ingest.js';
import { registerReport } from './report.js';
import { registerBilling } from './billing.js';
import { registerBudget } from './budget.js';
import { registerGpu } from './gpu.js';
import { registerForecast } from './forecast.js';
import { registerSimulate } from './simulate.js';
import { registerCatalog } from './catalog.js';
import { registerPlan } from './plan.js';

export const commands: RegisterCommand[] = [
  registerDemo,
  registerInit,
  registerValidate,
  registerCost,
  registerCatalog,
  registerPlan,
  registerForecast,
  registerSimulate,
  registerIngest,
  registerReport,
  registerBilling,
  registerBudget,
  registerGpu,
  registerServe,
];
