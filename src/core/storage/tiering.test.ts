import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { seededRng } from '../rng.js';
import { BUILTIN_STORAGE_CATALOG, GIB, autoTieringOf, localTier, tiersOf } from './prices.js';
import { type AccessPattern, type ScheduleStep, allStandard, autoTieringCost, billedBytes, costSchedule, lifecycle3090, planTiers } from './tiering.js';

const aws = tiersOf(BUILTIN_STORAGE_CATALOG, 'aws');
const gcp = tiersOf(BUILTIN_STORAGE_CATALOG, 'gcp');
const MIB = 1024 ** 2;

/** One object of `bytes`, read in full `reads[k]` times at age month k. */
function object(bytes: number, reads: number[], over: Partial<AccessPattern> = {}): AccessPattern {
  return {
    name: 'obj',
    objects: 1,
    bytes,
    billedBytesByMinSize: billedBytes([bytes], [0, 128 * 1024]),
    monitoredObjects: bytes >= 128 * 1024 ? 1 : 0,
    monitoredBytes: bytes >= 128 * 1024 ? bytes : 0,
    readsByMonth: reads,
    readBytesByMonth: reads.map((r) => r * bytes),
    objectsReadByMonth: reads.map((r) => (r > 0 ? 1 : 0)),
    ...over,
  };
}

describe('tier planning, hand-computed', () => {
  it('retrieval fee and early deletion make the archive tier lose', () => {
    // 100 GiB read in full twice, deleted after 30 days.
    const p = object(100 * GIB, [2], { lifetimeMonths: 1 });
    const opts = { horizonMonths: 12 };
    // Standard: 100 × 0.023 + 2 GETs × 0.0004/1000 + 1 PUT × 0.005/1000
    expect(allStandard(p, aws, opts).total.toFixed()).toBe('2.3000058');
    // Standard-IA: 1.25 storage + 2 × 100 × 0.01 retrieval + 0.000002 + 0.00001
    expect(costSchedule(p, aws, [{ fromMonth: 0, tierId: 'aws:STANDARD_IA' }], opts).total.toFixed()).toBe('3.250012');
    // Glacier IR: 0.40 + early deletion (90 − 30)/30 × 0.40 + 2 × 100 × 0.03 + 0.00002 + 0.00002
    const gir = costSchedule(p, aws, [{ fromMonth: 0, tierId: 'aws:GLACIER_IR' }], opts);
    expect(gir.parts.earlyDeletion.toFixed()).toBe('0.8');
    expect(gir.total.toFixed()).toBe('7.20004');
    const plan = planTiers(p, aws, opts);
    expect(plan.steps).toEqual([{ fromMonth: 0, tierId: 'aws:STANDARD' }]);
    expect(plan.total.toFixed()).toBe('2.3000058');
  });

  it('a read-once-then-cold object goes to Standard-IA at upload, then Deep Archive', () => {
    const p = object(10 * GIB, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const opts = { horizonMonths: 12 };
    const plan = planTiers(p, aws, opts);
    expect(plan.steps).toEqual([
      { fromMonth: 0, tierId: 'aws:STANDARD_IA' },
      { fromMonth: 1, tierId: 'aws:DEEP_ARCHIVE' },
    ]);
    // Month 0 in IA: 10 × 0.0125 + 10 × 0.01 + 0.001/1000 + PUT 0.01/1000 = 0.225011.
    // Transition 0.05/1000. Deep Archive 11 months × (10 × 0.00099 + 32 KiB at 0.00099 + 8 KiB at 0.023)
    //   = 11 × (0.0099 + 0.000030517578125 × 0.00099 + 0.00000762939453125 × 0.023) = 0.1089022625732421875.
    expect(plan.total.toFixed()).toBe('0.3339632625732421875');
    expect(allStandard(p, aws, opts).total.toFixed()).toBe('2.7600054');
    // Without Deep Archive and Glacier (reads would wait for a restore only in months without reads, so they stay allowed);
    // instant tiers only: IA then Glacier IR from month 1 (IA's 30 days are done).
    const instant = planTiers(p, aws.filter((t) => t.instantAccess), opts);
    expect(instant.steps).toEqual([
      { fromMonth: 0, tierId: 'aws:STANDARD_IA' },
      { fromMonth: 1, tierId: 'aws:GLACIER_IR' },
    ]);
    // 0.225011 + 0.02/1000 + 11 × 0.04
    expect(instant.total.toFixed()).toBe('0.665031');
  });

  it('a hot prefix stays in Standard; the 30/90 rule and automatic tiering cost more', () => {
    // 1,000 objects of 1 MiB, each read 10 times a month, for 3 months.
    const sizes = new Array(1000).fill(MIB);
    const p: AccessPattern = {
      name: 'hot/',
      objects: 1000,
      bytes: 1000 * MIB,
      billedBytesByMinSize: billedBytes(sizes, [0, 128 * 1024]),
      monitoredObjects: 1000,
      monitoredBytes: 1000 * MIB,
      readsByMonth: [10000, 10000, 10000],
      readBytesByMonth: [10000 * MIB, 10000 * MIB, 10000 * MIB],
      objectsReadByMonth: [1000, 1000, 1000],
    };
    const opts = { horizonMonths: 3 };
    const plan = planTiers(p, aws, opts);
    expect(plan.steps).toEqual([{ fromMonth: 0, tierId: 'aws:STANDARD' }]);
    // PUT 1000 × 0.005/1000 + 3 × (0.9765625 GiB × 0.023 + 10,000 × 0.0004/1000)
    expect(plan.total.toFixed()).toBe('0.0843828125');
    // Month 0 Standard; months 1–2 Standard-IA: 0.01220703125 + 9.765625 × 0.01 + 0.01; transition 0.01.
    expect(lifecycle3090(p, aws, opts).total.toFixed()).toBe('0.2811875');
    // Always in the frequent tier, plus 1,000 × 0.0025/1000 monitoring a month.
    const it = autoTieringCost(p, autoTieringOf(BUILTIN_STORAGE_CATALOG, 'aws')!, aws[0]!, opts);
    expect(it.total.toFixed()).toBe('0.0918828125');
    expect(it.parts.monitoring.toFixed()).toBe('0.0075');
  });

  it('automatic tiering steps an idle object down after 30 and 90 days', () => {
    const p = object(GIB, [1, 0, 0, 0, 0]);
    const it = autoTieringCost(p, autoTieringOf(BUILTIN_STORAGE_CATALOG, 'aws')!, aws[0]!, { horizonMonths: 5 });
    // Read in month 0, so months 0 and 1 are frequent (0.023); idle through month 1 → infrequent in
    // months 2 and 3 (0.0125); idle through months 1–3 → archive instant access in month 4 (0.004).
    expect(it.parts.storage.toFixed()).toBe('0.075');
  });

  it('small objects are billed as 128 KiB in Standard-IA', () => {
    const p = object(1024, [0, 0]);
    const ia = costSchedule(p, aws, [{ fromMonth: 0, tierId: 'aws:STANDARD_IA' }], { horizonMonths: 2 });
    expect(ia.parts.storage.toFixed()).toBe(dec(128 * 1024).div(GIB).times('0.0125').times(2).toFixed());
  });

  it('keeps reads out of restore tiers unless allowed', () => {
    const p = object(1000 * GIB, [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const plan = planTiers(p, aws, { horizonMonths: 12 });
    const tierAt7 = [...plan.steps].reverse().find((s) => s.fromMonth <= 7)!.tierId;
    expect(aws.find((t) => t.id === tierAt7)!.instantAccess).toBe(true);
    const restore = planTiers(p, aws, { horizonMonths: 12, allowRestore: true });
    expect(restore.total.lte(plan.total)).toBe(true);
  });

  it('refuses schedules that move warmer or go back in time', () => {
    const p = object(GIB, [0, 0, 0]);
    expect(() => costSchedule(p, aws, [{ fromMonth: 0, tierId: 'aws:GLACIER_IR' }, { fromMonth: 1, tierId: 'aws:STANDARD' }], { horizonMonths: 3 })).toThrow(/colder/);
    expect(() => costSchedule(p, aws, [{ fromMonth: 0, tierId: 'aws:NOPE' }], { horizonMonths: 3 })).toThrow(/unknown tier/);
    expect(() => planTiers(p, [...aws, ...gcp], { horizonMonths: 3 })).toThrow(/several providers/);
  });
});

/** Every one-way schedule: each month's tier rank at least the month before's. */
function allSchedules(ranks: number, months: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[]) => {
    if (prefix.length === months) return void out.push(prefix);
    for (let r = prefix.length ? prefix[prefix.length - 1]! : 0; r < ranks; r++) walk([...prefix, r]);
  };
  walk([]);
  return out;
}

describe('tier planning against brute force', () => {
  it('equals the cheapest of every feasible schedule on seeded random patterns', () => {
    const rng = seededRng(18);
    for (const tiers of [aws, gcp]) {
      for (let trial = 0; trial < 40; trial++) {
        const months = 1 + rng.int(6);
        const objects = 1 + rng.int(5000);
        const avg = 1024 + rng.int(50 * MIB);
        const reads = Array.from({ length: months }, () => (rng.next() < 0.5 ? 0 : rng.int(3 * objects)));
        const lifetime = rng.next() < 0.4 ? 1 + rng.int(months) : undefined;
        const p: AccessPattern = {
          name: `p${trial}`,
          objects,
          bytes: objects * avg,
          billedBytesByMinSize: { 0: objects * avg, [128 * 1024]: objects * Math.max(avg, 128 * 1024) },
          monitoredObjects: objects,
          monitoredBytes: objects * avg,
          readsByMonth: reads,
          readBytesByMonth: reads.map((r) => r * avg),
          objectsReadByMonth: reads.map((r) => Math.min(objects, r)),
          ...(lifetime !== undefined && { lifetimeMonths: lifetime }),
        };
        const opts = { horizonMonths: months, allowRestore: rng.next() < 0.5 };
        const plan = planTiers(p, tiers, opts);
        let best: string | undefined;
        let bestCost: ReturnType<typeof dec> | undefined;
        const covered = Math.min(months, lifetime ?? months);
        for (const sched of allSchedules(tiers.length, covered)) {
          const feasible = sched.every((r, k) => (opts.allowRestore || tiers[r]!.instantAccess || reads[k] === 0) && (k === 0 || r === sched[k - 1] || k * 30 >= tiers[r]!.minAgeDaysForTransition));
          if (!feasible) continue;
          const steps: ScheduleStep[] = sched.flatMap((r, k) => (k === 0 || r !== sched[k - 1] ? [{ fromMonth: k, tierId: tiers[r]!.id }] : []));
          const c = costSchedule(p, tiers, steps, opts).total;
          if (bestCost === undefined || c.lt(bestCost)) (bestCost = c), (best = JSON.stringify(steps));
        }
        expect(plan.total.toFixed(), `trial ${trial} best ${best}`).toBe(bestCost!.toFixed());
        // The plan is never worse than the baselines it is compared with.
        expect(plan.total.lte(allStandard(p, tiers, opts).total)).toBe(true);
      }
    }
  });
});

describe('local storage from the TCO model', () => {
  it('amortises purchase and prices power per GiB-month', () => {
    // 12,000 USD over 60 months = 200/month; 400 W × 730 h × 1.5 × 0.20 = 87.6/month; 100 TiB = 102,400 GiB.
    const t = localTier({ name: 'nas', purchaseUsd: dec(12000), usableTib: dec(100), lifetimeMonths: 60, powerW: dec(400), usdPerKwh: dec('0.20'), pue: dec('1.5') });
    expect(t.storageUsdPerGibMonth.times(102400).toFixed()).toBe('287.6');
  });
});

describe('lifecycle rules', () => {
  it('writes S3 lifecycle JSON with transitions by age in days and lists colder uploads', async () => {
    const { lifecycleRules } = await import('./lifecycle.js');
    const out = lifecycleRules(
      'aws',
      'STANDARD',
      [
        { prefix: 'logs/', steps: [{ fromMonth: 0, tierId: 'aws:STANDARD' }, { fromMonth: 1, tierId: 'aws:STANDARD_IA' }, { fromMonth: 4, tierId: 'aws:DEEP_ARCHIVE' }] },
        { prefix: 'hot/', steps: [{ fromMonth: 0, tierId: 'aws:STANDARD' }] },
        { prefix: 'ckpt/', steps: [{ fromMonth: 0, tierId: 'aws:STANDARD_IA' }], expireAfterMonths: 2 },
        { prefix: 'old/', steps: [{ fromMonth: 0, tierId: 'aws:DEEP_ARCHIVE' }] },
      ],
      { STANDARD_IA: 30 },
    );
    expect(out.document).toEqual({
      Rules: [
        { ID: 'penny-1-logs/', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 120, StorageClass: 'DEEP_ARCHIVE' }] },
        { ID: 'penny-2-ckpt/', Filter: { Prefix: 'ckpt/' }, Status: 'Enabled', Expiration: { Days: 60 } },
        { ID: 'penny-3-old/', Filter: { Prefix: 'old/' }, Status: 'Enabled', Transitions: [{ Days: 0, StorageClass: 'DEEP_ARCHIVE' }] },
      ],
    });
    expect(out.uploads).toEqual([
      { prefix: 'ckpt/', storageClass: 'STANDARD_IA' },
      { prefix: 'old/', storageClass: 'DEEP_ARCHIVE' },
    ]);
    expect(out.day0).toEqual(['old/']);
    const g = lifecycleRules('gcp', 'STANDARD', [{ prefix: 'a/', steps: [{ fromMonth: 0, tierId: 'gcp:STANDARD' }, { fromMonth: 3, tierId: 'gcp:COLDLINE' }] }]);
    expect(g.document).toEqual({ lifecycle: { rule: [{ action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 90, matchesPrefix: ['a/'] } }] } });
  });
});
