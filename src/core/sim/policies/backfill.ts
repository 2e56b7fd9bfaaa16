import { policy } from './policy.js';

/**
 * FIFO with EASY backfilling: the head of the queue gets a reservation (the earliest time a node
 * frees enough for it, from the running jobs' expected ends); a later job may start now only if it
 * ends before that time or runs on another node, so it never delays the head.
 */
export const backfill = () => policy({ name: 'backfill', summary: 'FIFO with EASY backfilling (never delays the head)', queue: 'fifo', mode: 'easy' });
