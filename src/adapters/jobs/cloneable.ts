/**
 * Values with Decimal money across a thread boundary. Structured clone keeps plain objects and
 * arrays but turns a Decimal into a bare object, so the sending side replaces each Decimal by its
 * exact string and lists where it was; the receiving side puts Decimals back at those places, a
 * walk over the list rather than a second validation of the whole value.
 */
import { Decimal, dec } from '../../core/money.js';

export interface Cloneable {
  value: unknown;
  /** Paths (keys from the root) of the values that were Decimals. */
  decimals: (string | number)[][];
}

export function toCloneable(value: unknown): Cloneable {
  const decimals: (string | number)[][] = [];
  const path: (string | number)[] = [];
  const walk = (v: unknown): unknown => {
    if (Decimal.isDecimal(v)) {
      decimals.push([...path]);
      return (v as Decimal).toString();
    }
    if (Array.isArray(v)) {
      return v.map((x, i) => {
        path.push(i);
        const out = walk(x);
        path.pop();
        return out;
      });
    }
    if (v !== null && typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new Error(`cannot send a ${(v as object).constructor?.name ?? 'class instance'} across threads`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        path.push(k);
        out[k] = walk(x);
        path.pop();
      }
      return out;
    }
    return v;
  };
  return { value: walk(value), decimals };
}

export function fromCloneable<T>(c: Cloneable): T {
  const root = { v: c.value } as Record<string | number, unknown>;
  for (const path of c.decimals) {
    let parent = root;
    let key: string | number = 'v';
    for (const k of path) {
      parent = parent[key] as Record<string | number, unknown>;
      key = k;
    }
    parent[key] = dec(parent[key] as string);
  }
  return root.v as T;
}
