/**
 * From objects and the reads seen of them to one AccessPattern per prefix (or per object).
 *
 * Reads are only seen while logs were kept: each object is observed from max(created, log start)
 * to the log end, which covers some of its age months. The rate at age month k is
 *
 *   reads per object-month r_k = reads seen at age k / object-months observed at age k
 *
 * and the pattern expects r_k × objects reads at age k. An age month never observed takes the
 * rate of the nearest observed age (the older one on a tie): with a week of logs on year-old
 * objects, the old objects' rate is the best evidence there is. Ages from the horizon on share
 * one bucket. Streaming: objects are added once; memory is a few numbers per object.
 */
import { type AccessPattern } from './tiering.js';

const DAY_S = 86_400;
const MONTH_S = 30 * DAY_S;

export interface ProfileOptions {
  horizonMonths: number;
  /** Segments of the key that name its group: 1 → `logs/`; Infinity → each object on its own. */
  prefixDepth: number;
  /** Minimum billable object sizes of the tiers to plan with (bytes). */
  minSizes: number[];
  /** Smallest object the automatic tiering monitors (bytes). */
  monitorMinBytes: number;
}

export function groupOf(key: string, depth: number): string {
  if (!Number.isFinite(depth)) return key;
  const parts = key.split('/');
  if (parts.length <= 1) return '';
  return parts.slice(0, Math.min(depth, parts.length - 1)).join('/') + '/';
}

interface Group {
  objects: number;
  bytes: number;
  billed: Record<number, number>;
  monitoredObjects: number;
  monitoredBytes: number;
  exposure: Float64Array;
  reads: Float64Array;
  readBytes: Float64Array;
  objectsRead: Float64Array;
}

export interface ProfileSummary {
  objects: number;
  bytes: number;
  reads: number;
  /** Reads of keys that are not among the objects (deleted since, or another bucket). */
  unmatchedReads: number;
  /**
   * Reads dated before their object's creation: of an earlier object under the same key (written
   * again since; an inventory gives the last write). Left out like unmatched reads: the object
   * is observed only from its creation, so counting them would inflate its first month's rate.
   */
  readsBeforeCreation: number;
}

export class ProfileBuilder {
  private readonly groups = new Map<string, Group>();
  private readonly groupIndex: Group[] = [];
  private readonly objGroup: number[] = [];
  private readonly created: number[] = [];
  private readonly readAges = new Set<number>();
  private readonly groupIds = new Map<Group, number>();
  private reads = 0;
  private unmatched = 0;
  private beforeCreation = 0;
  private bytes = 0;
  constructor(private readonly opts: ProfileOptions) {}

  private get buckets(): number {
    return this.opts.horizonMonths + 1;
  }

  /** Adds an object; returns its index for addRead. */
  addObject(key: string, sizeBytes: number, createdS: number): number {
    const name = groupOf(key, this.opts.prefixDepth);
    let g = this.groups.get(name);
    if (!g) {
      const n = this.buckets;
      g = { objects: 0, bytes: 0, billed: Object.fromEntries(this.opts.minSizes.map((m) => [m, 0])), monitoredObjects: 0, monitoredBytes: 0, exposure: new Float64Array(n), reads: new Float64Array(n), readBytes: new Float64Array(n), objectsRead: new Float64Array(n) };
      this.groups.set(name, g);
      this.groupIds.set(g, this.groupIndex.length);
      this.groupIndex.push(g);
    }
    g.objects++;
    g.bytes += sizeBytes;
    this.bytes += sizeBytes;
    for (const m of this.opts.minSizes) g.billed[m]! += Math.max(sizeBytes, m);
    if (sizeBytes >= this.opts.monitorMinBytes) (g.monitoredObjects++, (g.monitoredBytes += sizeBytes));
    this.objGroup.push(this.groupIds.get(g)!);
    this.created.push(createdS);
    return this.created.length - 1;
  }

  private age(index: number, atS: number): number {
    return Math.min(this.opts.horizonMonths, Math.max(0, Math.floor((atS - this.created[index]!) / MONTH_S)));
  }

  addRead(index: number | undefined, atS: number, bytes: number): void {
    this.reads++;
    if (index === undefined) return void this.unmatched++;
    if (atS < this.created[index]!) return void this.beforeCreation++;
    const g = this.groupIndex[this.objGroup[index]!]!;
    const k = this.age(index, atS);
    g.reads[k]! += 1;
    g.readBytes[k]! += bytes;
    const mark = index * this.buckets + k;
    if (!this.readAges.has(mark)) {
      this.readAges.add(mark);
      g.objectsRead[k]! += 1;
    }
  }

  summary(): ProfileSummary {
    return { objects: this.created.length, bytes: this.bytes, reads: this.reads, unmatchedReads: this.unmatched, readsBeforeCreation: this.beforeCreation };
  }

  /** Patterns, largest first; the window is when reads were recorded (seconds). */
  build(windowStartS: number, windowEndS: number): AccessPattern[] {
    const H = this.opts.horizonMonths;
    for (let i = 0; i < this.created.length; i++) {
      const c = this.created[i]!;
      const g = this.groupIndex[this.objGroup[i]!]!;
      let from = Math.max(0, Math.max(c, windowStartS) - c);
      const to = windowEndS - c;
      while (from < to) {
        const k = Math.min(H, Math.floor(from / MONTH_S));
        const end = k === H ? to : Math.min(to, (k + 1) * MONTH_S);
        g.exposure[k]! += (end - from) / MONTH_S;
        from = end;
      }
    }
    const out: AccessPattern[] = [];
    for (const [name, g] of this.groups) {
      const observed = [...g.exposure.keys()].filter((k) => g.exposure[k]! > 0);
      const source = (k: number): number | undefined => {
        let best: number | undefined;
        for (const o of observed) if (best === undefined || Math.abs(o - k) < Math.abs(best - k) || (Math.abs(o - k) === Math.abs(best - k) && o > best)) best = o;
        return best;
      };
      const per = (arr: Float64Array, k: number) => {
        const s = g.exposure[k]! > 0 ? k : source(k);
        return s === undefined ? 0 : (arr[s]! / g.exposure[s]!) * g.objects;
      };
      const months = Array.from({ length: H }, (_, k) => k);
      out.push({
        name,
        objects: g.objects,
        bytes: g.bytes,
        billedBytesByMinSize: g.billed,
        monitoredObjects: g.monitoredObjects,
        monitoredBytes: g.monitoredBytes,
        readsByMonth: months.map((k) => per(g.reads, k)),
        readBytesByMonth: months.map((k) => per(g.readBytes, k)),
        objectsReadByMonth: months.map((k) => Math.min(g.objects, per(g.objectsRead, k))),
      });
    }
    return out.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
  }
}
