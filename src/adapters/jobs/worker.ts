/** A job thread: runs plans and simulations (tasks.ts) for the job pool (pool.ts). */
import { tasks } from './tasks.js';
import { serveTasks } from './thread.js';

serveTasks(tasks);
