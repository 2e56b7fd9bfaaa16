import { policy } from './policy.js';

/** Shortest job (least work) first, strict order, first fit. */
export const sjf = () => policy({ name: 'sjf', summary: 'shortest job first, strict order, first fit', queue: 'sjf', mode: 'head' });
