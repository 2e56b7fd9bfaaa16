/** A parse thread: reads and validates request documents (documents.ts) for the parse pool. */
import { parseTasks } from './documents.js';
import { serveTasks } from '../jobs/thread.js';

serveTasks(parseTasks);
