/**
 * The event queue: a binary min-heap on parallel typed arrays (time, then insertion sequence, so
 * simultaneous events come out in the order they were scheduled and runs are deterministic).
 * No object per event: the simulator pushes and pops millions of them.
 */
export class EventHeap {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Uint8Array;
  private a: Int32Array;
  private b: Int32Array;
  size = 0;
  private counter = 0;
  // The fields of the last popped event.
  t = 0;
  k = 0;
  ea = 0;
  eb = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const g = <T extends Float64Array | Uint8Array | Int32Array>(x: T, make: (n: number) => T): T => {
      const y = make(cap);
      y.set(x as never);
      return y;
    };
    this.time = g(this.time, (n) => new Float64Array(n));
    this.seq = g(this.seq, (n) => new Float64Array(n));
    this.kind = g(this.kind, (n) => new Uint8Array(n));
    this.a = g(this.a, (n) => new Int32Array(n));
    this.b = g(this.b, (n) => new Int32Array(n));
  }

  peekTime(): number {
    return this.size > 0 ? this.time[0]! : Infinity;
  }

  push(t: number, kind: number, a: number, b: number): void {
    // A NaN time never compares past the horizon, so the run would never end: fail loudly instead.
    if (t !== t) throw new Error(`simulator bug: an event (kind ${kind}) was scheduled at time NaN; please report it with the scenario`);
    if (this.size === this.time.length) this.grow();
    const time = this.time;
    const seq = this.seq;
    const s = this.counter++;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = time[p]!;
      if (pt < t || (pt === t && seq[p]! < s)) break;
      time[i] = pt;
      seq[i] = seq[p]!;
      this.kind[i] = this.kind[p]!;
      this.a[i] = this.a[p]!;
      this.b[i] = this.b[p]!;
      i = p;
    }
    time[i] = t;
    seq[i] = s;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }

  /** Remove the earliest event; its fields are left in t, k, ea, eb. */
  pop(): void {
    const time = this.time;
    const seq = this.seq;
    this.t = time[0]!;
    this.k = this.kind[0]!;
    this.ea = this.a[0]!;
    this.eb = this.b[0]!;
    const n = --this.size;
    if (n === 0) return;
    const lt = time[n]!;
    const ls = seq[n]!;
    const lk = this.kind[n]!;
    const la = this.a[n]!;
    const lb = this.b[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (time[r]! < time[c]! || (time[r] === time[c] && seq[r]! < seq[c]!))) c = r;
      const ct = time[c]!;
      if (lt < ct || (lt === ct && ls < seq[c]!)) break;
      time[i] = ct;
      seq[i] = seq[c]!;
      this.kind[i] = this.kind[c]!;
      this.a[i] = this.a[c]!;
      this.b[i] = this.b[c]!;
      i = c;
    }
    time[i] = lt;
    seq[i] = ls;
    this.kind[i] = lk;
    this.a[i] = la;
    this.b[i] = lb;
  }
}
