/**
 * A growable list of integers on an Int32Array. The engine's queue and scratch lists live here:
 * clearing or shrinking a JS array makes V8 reallocate its store, which at millions of events
 * turned into most of the run's garbage collection.
 */
export class IntList {
  a: Int32Array;
  n = 0;
  constructor(capacity = 64) {
    this.a = new Int32Array(Math.max(4, capacity));
  }
  private ensure(extra: number): void {
    if (this.n + extra <= this.a.length) return;
    const b = new Int32Array(Math.max(this.a.length * 2, this.n + extra));
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
  push(x: number): void {
    this.ensure(1);
    this.a[this.n++] = x;
  }
  insertAt(i: number, x: number): void {
    this.ensure(1);
    this.a.copyWithin(i + 1, i, this.n);
    this.a[i] = x;
    this.n++;
  }
  removeAt(i: number): void {
    this.a.copyWithin(i, i + 1, this.n);
    this.n--;
  }
  indexOf(x: number): number {
    for (let i = 0; i < this.n; i++) if (this.a[i] === x) return i;
    return -1;
  }
  clear(): void {
    this.n = 0;
  }
  toArray(): number[] {
    return Array.from(this.a.subarray(0, this.n));
  }
}
