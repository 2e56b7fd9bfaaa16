/**
 * Tier plans as the lifecycle configuration each cloud applies: S3 `PutBucketLifecycleConfiguration`
 * JSON, a GCS bucket `lifecycle` JSON, an Azure Blob management policy. A rule moves objects by
 * age in days, which is what a plan by age month says (month m = day 30·m). A plan that starts
 * colder than the warmest tier cannot be a rule: the upload itself must name the class, which
 * `uploads` lists.
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
}

const DAYS = 30;
const className = (tierId: string) => tierId.slice(tierId.indexOf(':') + 1);

/** Rule IDs are at most 255 characters in S3; prefixes are unique, so their text names the rule. */
function ruleId(prefix: string, n: number): string {
  const id = `penny-${n}-${prefix || 'all'}`;
  return id.length > 255 ? id.slice(0, 255) : id;
}

export function lifecycleRules(provider: StorageProvider, warmestClass: string, plans: PrefixPlan[]): LifecycleOutput {
  const uploads = plans.filter((p) => className(p.steps[0]!.tierId) !== warmestClass).map((p) => ({ prefix: p.prefix, storageClass: className(p.steps[0]!.tierId) }));
  const moving = plans.filter((p) => p.steps.length > 1 || p.expireAfterMonths !== undefined);
  if (provider === 'aws') {
    return {
      provider,
      uploads,
      document: {
        Rules: moving.map((p, n) => ({
          ID: ruleId(p.prefix, n + 1),
          Filter: { Prefix: p.prefix },
          Status: 'Enabled',
          ...(p.steps.length > 1 && { Transitions: p.steps.slice(1).map((s) => ({ Days: s.fromMonth * DAYS, StorageClass: className(s.tierId) })) }),
          ...(p.expireAfterMonths !== undefined && { Expiration: { Days: p.expireAfterMonths * DAYS } }),
        })),
      },
    };
  }
  if (provider === 'gcp') {
    return {
      provider,
      uploads,
      document: {
        lifecycle: {
          rule: moving.flatMap((p) => [
            ...p.steps.slice(1).map((s) => ({ action: { type: 'SetStorageClass', storageClass: className(s.tierId) }, condition: { age: s.fromMonth * DAYS, ...(p.prefix && { matchesPrefix: [p.prefix] }) } })),
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
      document: {
        rules: moving.map((p, n) => ({
          name: `penny-${n + 1}`,
          enabled: true,
          type: 'Lifecycle',
          definition: {
            filters: { blobTypes: ['blockBlob'], ...(p.prefix && { prefixMatch: [p.prefix] }) },
            actions: {
              baseBlob: {
                ...Object.fromEntries(p.steps.slice(1).map((s) => [`tierTo${className(s.tierId)}`, { daysAfterModificationGreaterThan: s.fromMonth * DAYS }])),
                ...(p.expireAfterMonths !== undefined && { delete: { daysAfterModificationGreaterThan: p.expireAfterMonths * DAYS } }),
              },
            },
          },
        })),
      },
    };
  }
  return { provider, uploads, document: { note: 'local storage has no lifecycle rules: move data by hand or with your own job' } };
}
