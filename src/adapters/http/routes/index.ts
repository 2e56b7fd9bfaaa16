/** Every feature's routes; a feature adds one module and one line here. */
import type { RegisterRoutes } from './types.js';
import { systemRoutes } from './system.js';
import { scenarioRoutes } from './scenarios.js';
import { uploadRoutes } from './uploads.js';
import { runRoutes } from './runs.js';
import { billingRoutes } from './billing.js';
import { gpuRoutes } from './gpus.js';
import { planRoutes } from './plans.js';
import { simulationRoutes } from './simulations.js';
import { storageRoutes } from './storage.js';
import { servingRoutes } from './serving.js';
import { forecastRoutes } from './forecasts.js';

export const routes: RegisterRoutes[] = [systemRoutes, scenarioRoutes, uploadRoutes, runRoutes, billingRoutes, gpuRoutes, planRoutes, simulationRoutes, storageRoutes, servingRoutes, forecastRoutes];
