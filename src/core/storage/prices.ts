/**
 * The storage price catalog: object storage tiers of the main clouds and local disk or NAS priced
 * from the TCO model's terms (capex amortised over a lifetime, power at an electricity price).
 *
 * A dated snapshot of public list prices (one region each, the first volume band), not live
 * prices: every tier names its source page so a user can check it and write their own figures.
 * Money is exact decimal; sizes are billed per GiB (2^30 bytes), as the clouds' "GB" is.
 */
import { Decimal, dec } from '../money.js';

export const STORAGE_PRICES_DATE = '2025-03';

export type StorageProvider = 'aws' | 'gcp' | 'azure' | 'local';

export interface StorageTier {
  /** `aws:STANDARD_IA`: provider and the provider's own class name. */
  id: string;
  provider: StorageProvider;
  /** The class name the provider's API and lifecycle rules use (`GLACIER_IR`, `NEARLINE`, `Cool`). */
  className: string;
  /** Colder tiers have a higher rank; lifecycle rules only move objects to a higher rank. */
  rank: number;
  storageUsdPerGibMonth: Decimal;
  /** Charged per GiB read out of the tier (data retrieval), on top of requests. */
  retrievalUsdPerGib: Decimal;
  /** Read requests (GET, or the restore request of an archive tier), per 1,000. */
  readUsdPer1000: Decimal;
  /** Uploads into the tier (PUT), per 1,000 objects. */
  writeUsdPer1000: Decimal;
  /** Lifecycle transitions into the tier, per 1,000 objects. */
  transitionUsdPer1000: Decimal;
  /** Objects moved out or deleted earlier are billed for the remaining days (early-deletion charge). */
  minStorageDays: number;
  /** Smaller objects are billed as this size. */
  minBillableObjectBytes: number;
  /** Per-object index kept by the archive tiers: bytes billed at this tier's price … */
  overheadBytesPerObject: number;
  /** … and bytes billed at the provider's standard price. */
  overheadStandardBytesPerObject: number;
  /** A lifecycle rule may move objects here only once they are this old (S3: 30 days for IA). */
  minAgeDaysForTransition: number;
  /** Reads are served at once (false: a restore of hours comes first). */
  instantAccess: boolean;
  source: string;
}

/** The provider's automatic tiering (S3 Intelligent-Tiering, GCS Autoclass): a per-object fee instead of retrieval charges. */
export interface AutoTiering {
  provider: StorageProvider;
  name: string;
  monitoringUsdPer1000ObjectsMonth: Decimal;
  /** Objects smaller than this are not monitored: they stay in the first step at no fee. */
  minMonitoredObjectBytes: number;
  /** Steps by days without access: [0, frequent tier], [30, infrequent], [90, archive instant access]. */
  steps: { afterIdleDays: number; storageUsdPerGibMonth: Decimal }[];
  transitionUsdPer1000: Decimal;
  source: string;
}

export interface StorageCatalog {
  date: string;
  currency: 'USD';
  tiers: StorageTier[];
  autoTiering: AutoTiering[];
}

const KIB = 1024;
const AWS_SRC = 'https://aws.amazon.com/s3/pricing/ (us-east-1, first 50 TB band)';
const GCS_SRC = 'https://cloud.google.com/storage/pricing (us-central1 regional)';
const AZ_SRC = 'https://azure.microsoft.com/pricing/details/storage/blobs/ (East US, LRS, flat namespace)';

// className, rank, storage/GiB-month, retrieval/GiB, read/1000, write/1000, transition/1000, min days, min object bytes, overhead (tier, standard), min age, instant
type Row = [string, number, string, string, string, string, string, number, number, number, number, number, boolean];

const aws: Row[] = [
  ['STANDARD', 0, '0.023', '0', '0.0004', '0.005', '0', 0, 0, 0, 0, 0, true],
  ['STANDARD_IA', 1, '0.0125', '0.01', '0.001', '0.01', '0.01', 30, 128 * KIB, 0, 0, 30, true],
  ['GLACIER_IR', 2, '0.004', '0.03', '0.01', '0.02', '0.02', 90, 128 * KIB, 0, 0, 0, true],
  // Restores (standard speed): 0.01/GiB and 0.05 per 1,000 restore requests; 40 KiB index per object.
  ['GLACIER', 3, '0.0036', '0.01', '0.05', '0.03', '0.03', 90, 0, 32 * KIB, 8 * KIB, 0, false],
  ['DEEP_ARCHIVE', 4, '0.00099', '0.02', '0.10', '0.05', '0.05', 180, 0, 32 * KIB, 8 * KIB, 0, false],
];
const gcp: Row[] = [
  ['STANDARD', 0, '0.020', '0', '0.0004', '0.005', '0', 0, 0, 0, 0, 0, true],
  ['NEARLINE', 1, '0.010', '0.01', '0.001', '0.01', '0.01', 30, 0, 0, 0, 0, true],
  ['COLDLINE', 2, '0.004', '0.02', '0.01', '0.02', '0.02', 90, 0, 0, 0, 0, true],
  ['ARCHIVE', 3, '0.0012', '0.05', '0.05', '0.05', '0.05', 365, 0, 0, 0, 0, true],
];
const azure: Row[] = [
  ['Hot', 0, '0.018', '0', '0.0004', '0.005', '0', 0, 0, 0, 0, 0, true],
  ['Cool', 1, '0.01', '0.01', '0.001', '0.01', '0.01', 30, 0, 0, 0, 0, true],
  ['Cold', 2, '0.0036', '0.03', '0.01', '0.018', '0.018', 90, 0, 0, 0, 0, true],
  // Archive is offline: reads need rehydration (standard priority) first.
  ['Archive', 3, '0.00099', '0.02', '0.5', '0.01', '0.01', 180, 0, 0, 0, 0, false],
];

function tiers(provider: StorageProvider, rows: Row[], source: string): StorageTier[] {
  return rows.map(([className, rank, storage, retrieval, read, write, transition, minDays, minObj, ovh, ovhStd, minAge, instant]) => ({
    id: `${provider}:${className}`,
    provider,
    className,
    rank,
    storageUsdPerGibMonth: dec(storage),
    retrievalUsdPerGib: dec(retrieval),
    readUsdPer1000: dec(read),
    writeUsdPer1000: dec(write),
    transitionUsdPer1000: dec(transition),
    minStorageDays: minDays,
    minBillableObjectBytes: minObj,
    overheadBytesPerObject: ovh,
    overheadStandardBytesPerObject: ovhStd,
    minAgeDaysForTransition: minAge,
    instantAccess: instant,
    source,
  }));
}

export const BUILTIN_STORAGE_CATALOG: StorageCatalog = {
  date: STORAGE_PRICES_DATE,
  currency: 'USD',
  tiers: [...tiers('aws', aws, AWS_SRC), ...tiers('gcp', gcp, GCS_SRC), ...tiers('azure', azure, AZ_SRC)],
  autoTiering: [
    {
      provider: 'aws',
      name: 'INTELLIGENT_TIERING',
      monitoringUsdPer1000ObjectsMonth: dec('0.0025'),
      minMonitoredObjectBytes: 128 * KIB,
      steps: [
        { afterIdleDays: 0, storageUsdPerGibMonth: dec('0.023') },
        { afterIdleDays: 30, storageUsdPerGibMonth: dec('0.0125') },
        { afterIdleDays: 90, storageUsdPerGibMonth: dec('0.004') },
      ],
      transitionUsdPer1000: dec('0.01'),
      source: AWS_SRC,
    },
    {
      provider: 'gcp',
      name: 'Autoclass',
      monitoringUsdPer1000ObjectsMonth: dec('0.0025'),
      minMonitoredObjectBytes: 128 * KIB,
      steps: [
        { afterIdleDays: 0, storageUsdPerGibMonth: dec('0.020') },
        { afterIdleDays: 30, storageUsdPerGibMonth: dec('0.010') },
        { afterIdleDays: 90, storageUsdPerGibMonth: dec('0.004') },
        { afterIdleDays: 365, storageUsdPerGibMonth: dec('0.0012') },
      ],
      transitionUsdPer1000: dec('0'),
      source: GCS_SRC,
    },
  ],
};

/** Local disks or a NAS, priced as the TCO model prices hardware: purchase amortised, power drawn all month. */
export interface LocalStorageInput {
  name: string;
  purchaseUsd: Decimal;
  usableTib: Decimal;
  lifetimeMonths: number;
  powerW: Decimal;
  usdPerKwh: Decimal;
  pue: Decimal;
  /** Yearly support, spares and admin time; 0 when not given. */
  maintenanceUsdPerYear?: Decimal;
}

const HOURS_PER_MONTH = dec(730);

/**
 *   price/GiB-month = (purchase / lifetimeMonths + powerW/1000 × 730 h × PUE × price/kWh
 *                      + maintenance/12) / (usableTiB × 1024)
 * No retrieval, request or minimum-duration charges: the cost is the box, whether it is read or not.
 */
export function localTier(input: LocalStorageInput): StorageTier {
  const gib = input.usableTib.times(1024);
  const perMonth = input.purchaseUsd
    .div(input.lifetimeMonths)
    .plus(input.powerW.div(1000).times(HOURS_PER_MONTH).times(input.pue).times(input.usdPerKwh))
    .plus((input.maintenanceUsdPerYear ?? dec(0)).div(12));
  return {
    id: `local:${input.name}`,
    provider: 'local',
    className: input.name,
    rank: 0,
    storageUsdPerGibMonth: perMonth.div(gib),
    retrievalUsdPerGib: dec(0),
    readUsdPer1000: dec(0),
    writeUsdPer1000: dec(0),
    transitionUsdPer1000: dec(0),
    minStorageDays: 0,
    minBillableObjectBytes: 0,
    overheadBytesPerObject: 0,
    overheadStandardBytesPerObject: 0,
    minAgeDaysForTransition: 0,
    instantAccess: true,
    source: `TCO: ${input.purchaseUsd.toFixed()} USD over ${input.lifetimeMonths} months, ${input.powerW.toFixed()} W × PUE ${input.pue.toFixed()} at ${input.usdPerKwh.toFixed()} USD/kWh, ${input.usableTib.toFixed()} TiB usable`,
  };
}

export function tiersOf(catalog: StorageCatalog, provider: StorageProvider): StorageTier[] {
  return catalog.tiers.filter((t) => t.provider === provider).sort((a, b) => a.rank - b.rank);
}

export function autoTieringOf(catalog: StorageCatalog, provider: StorageProvider): AutoTiering | undefined {
  return catalog.autoTiering.find((a) => a.provider === provider);
}

export const GIB = 1024 ** 3;

/** Bytes as GiB, exactly (2^30 divides into a finite decimal). */
export function bytesToGib(bytes: number | Decimal): Decimal {
  return dec(bytes).div(GIB);
}

export { Decimal };
