/**
 * Tier plans as the lifecycle configuration each cloud applies: S3 `PutBucketLifecycleConfiguration`
 * JSON, a GCS bucket `lifecycle` JSON, an Azure Blob management policy. A rule moves objects by
 * age in days, which is what a plan by age month says (month m = day 30·m). A plan that starts
 * colder than the warmest tier gets a day-0 transition (existing objects move, at the transition
 * fee) where the provider allows one; S3 allows none into Standard-IA before day 30. Either way
 * `uploads` lists those prefixes: new objects are cheaper uploaded straight into the class.
 */
import type { ScheduleStep } from './tiering.js';
import type { StorageProvider } from './prices.js';

export interface PrefixPlan {
  /** Key prefix the rule filters on ('' for the whole bucket). */
  prefix: string;
  steps: ScheduleStep[];
  /** Delete objects at this age (months), when the plan's pattern ends with deletion. */
  expireAfterMonths?: number;
}

export interface LifecycleOutput {
  provider: StorageProvider;
  /** The document to apply (`aws s3api put-bucket-lifecycle-configuration --lifecycle-configuration file://…`). */
  document: unknown;
  /** Prefixes whose plan starts in a colder class: set it on upload (x-amz-storage-class, --storage-class). */
  uploads: { prefix: string; storageClass: string }[];
  /** Prefixes whose rule moves existing objects at day 0. */
  day0: string[];
}

const DAYS = 30;
const className = (tierId: string) => tierId.slice(tierId.indexOf(':') + 1);

/** Rule IDs are at most 255 characters in S3; prefixes are unique, so their text names the rule. */
function ruleId(prefix: string, n: number): string {
  const id = `penny-${n}-${prefix || 'all'}`;
  return id.length > 255 ? id.slice(0, 255) : id;
}

/** `minTransitionDays`: per class, the youngest age a rule may move objects into it (missing: 0). */
export function lifecycleRules(provider: StorageProvider, warmestClass: string, plans: PrefixPlan[], minTransitionDays: Record<string, number> = {}): LifecycleOutput {
  const uploads = plans.filter((p) => className(p.steps[0]!.tierId) !== warmestClass).map((p) => ({ prefix: p.prefix, storageClass: className(p.steps[0]!.tierId) }));
  // The steps a rule carries out: every move, plus the first tier at day 0 when it is colder and a rule may do it.
  const moves = (p: PrefixPlan) => {
    const first = className(p.steps[0]!.tierId);
    return first !== warmestClass && (minTransitionDays[first] ?? 0) === 0 ? p.steps : p.steps.slice(1);
  };
  const moving = plans.filter((p) => moves(p).length > 0 || p.expireAfterMonths !== undefined).map((p) => ({ ...p, steps: moves(p) }));
  const day0 = moving.filter((p) => p.steps[0]?.fromMonth === 0).map((p) => p.prefix);
  if (provider === 'aws') {
    return {
      provider,
      uploads,
      day0,
      document: {
        Rules: moving.map((p, n) => ({
          ID: ruleId(p.prefix, n + 1),
          Filter: { Prefix: p.prefix },
          Status: 'Enabled',
          ...(p.steps.length > 0 && { Transitions: p.steps.map((s) => ({ Days: s.fromMonth * DAYS, StorageClass: className(s.tierId) })) }),
          ...(p.expireAfterMonths !== undefined && { Expiration: { Days: p.expireAfterMonths * DAYS } }),
        })),
      },
    };
  }
  if (provider === 'gcp') {
    return {
      provider,
      uploads,
      day0,
      document: {
        lifecycle: {
          rule: moving.flatMap((p) => [
            ...p.steps.map((s) => ({ action: { type: 'SetStorageClass', storageClass: className(s.tierId) }, condition: { age: s.fromMonth * DAYS, ...(p.prefix && { matchesPrefix: [p.prefix] }) } })),
            ...(p.expireAfterMonths !== undefined ? [{ action: { type: 'Delete' }, condition: { age: p.expireAfterMonths * DAYS, ...(p.prefix && { matchesPrefix: [p.prefix] }) } }] : []),
          ]),
        },
      },
    };
  }
  if (provider === 'azure') {
    return {
      provider,
      uploads,
      day0,
      document: {
        rules: moving.map((p, n) => ({
          name: `penny-${n + 1}`,
          enabled: true,
          type: 'Lifecycle',
          definition: {
            filters: { blobTypes: ['blockBlob'], ...(p.prefix && { prefixMatch: [p.prefix] }) },
            actions: {
              baseBlob: {
                ...Object.fromEntries(p.steps.map((s) => [`tierTo${className(s.tierId)}`, { daysAfterModificationGreaterThan: s.fromMonth * DAYS }])),
                ...(p.expireAfterMonths !== undefined && { delete: { daysAfterModificationGreaterThan: p.expireAfterMonths * DAYS } }),
              },
            },
          },
        })),
      },
    };
  }
  return { provider, uploads, day0: [], document: { note: 'local storage has no lifecycle rules: move data by hand or with your own job' } };
}
