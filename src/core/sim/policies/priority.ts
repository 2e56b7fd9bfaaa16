import { policy } from './policy.js';

/** Highest priority first (arrival order among equals), strict order, first fit. */
export const priority = () => policy({ name: 'priority', summary: 'highest priority first, strict order, first fit', queue: 'priority', mode: 'head' });
