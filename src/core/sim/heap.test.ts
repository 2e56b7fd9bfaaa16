import { describe, expect, it } from 'vitest';
import { seededRng } from '../rng.js';
import { EventHeap } from './heap.js';

describe('EventHeap', () => {
  it('pops in time order, simultaneous events in the order they were pushed, growing as needed', () => {
    const h = new EventHeap(2);
    const rng = seededRng(5);
    const pushed: { t: number; i: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = rng.int(100);
      h.push(t, 1, i, 0);
      pushed.push({ t, i });
    }
    const expected = pushed.slice().sort((a, b) => a.t - b.t || a.i - b.i);
    const got: { t: number; i: number }[] = [];
    while (h.size > 0) {
      h.pop();
      got.push({ t: h.t, i: h.ea });
    }
    expect(got).toEqual(expected);
    expect(h.peekTime()).toBe(Infinity);
  });

  it('refuses an event at time NaN, which would otherwise keep a run going forever', () => {
    const h = new EventHeap();
    expect(() => h.push(Number.NaN, 1, 0, 0)).toThrow(/NaN/);
    h.push(Infinity, 1, 0, 0);
    expect(h.size).toBe(1);
  });
});
