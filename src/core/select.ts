/**
 * The k-th smallest of a[lo..hi], put at index k with smaller values before it and larger after
 * (Hoare's quickselect with median-of-three pivots, so sorted or constant columns, common in
 * latencies and backtest scores, stay linear). Reorders `a`; returns a[k]. O(n) on average: the
 * serving simulator's percentiles and the forecaster's conformal ranks run it per column and per
 * origin, where a sort would be O(n log n).
 */
export function selectKth(a: Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
