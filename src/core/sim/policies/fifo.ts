import { policy } from './policy.js';

/** First come, first served; the head of the queue blocks the rest; first node that fits. */
export const fifo = () => policy({ name: 'fifo', summary: 'first come first served, strict order, first fit', queue: 'fifo', mode: 'head' });
