/**
 * Cloud cost exports that are not FOCUS, read as they are and normalised to FOCUS columns, so the
 * rest of Penny (store, reports, budgets) sees one shape. Pure: a header and a row's cells in, the
 * FOCUS cells out. The mapping per provider is documented in docs/billing.md ("Other exports").
 *
 * Why a mapping of our own rather than "export FOCUS instead": many teams have years of CUR and
 * Cost Management history that predates their provider's FOCUS export, and that history is what a
 * forecast or a budget needs.
 *
 * Column names are matched after folding case and dropping every character that is not a letter or
 * digit, so AWS CUR 2.0 (`line_item_unblended_cost`), legacy CUR (`lineItem/UnblendedCost`), Azure's
 * PascalCase and camelCase exports (`CostInBillingCurrency`, `costInBillingCurrency`) and the
 * dotted columns of a flattened BigQuery export (`service.description`) all find their column.
 */
import { Decimal, isDecimalString } from '../money.js';
import { CellError, TYPED_COLUMNS, isNullCell, timeCell } from './focus.js';

export type ExportKind = 'aws-cur' | 'azure-cost' | 'gcp-billing';

export interface ExportMapper {
  kind: ExportKind;
  /** For messages: "AWS Cost and Usage Report (CUR 2.0 / legacy CUR)". */
  label: string;
  /** The FOCUS columns (and x_ columns) the mapped rows carry. */
  header: string[];
  /**
   * One source row → FOCUS cells. Throws CellError naming the *source* column when a cell the
   * mapping needs is unreadable, so the user is sent to the cell in their own file.
   */
  map(values: Record<string, string>): Record<string, string>;
}

/** `line_item_unblended_cost`, `lineItem/UnblendedCost` → `lineitemunblendedcost`. */
export function foldColumn(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Looks up source cells by folded name; remembers the source spelling for error messages. */
class Row {
  constructor(
    private readonly byFold: Map<string, string>,
    private readonly values: Record<string, string>,
  ) {}
  /** The first of `names` (folded) that the file has and that is not empty. */
  get(...names: string[]): string | undefined {
    for (const n of names) {
      const src = this.byFold.get(n);
      if (src === undefined) continue;
      const v = this.values[src];
      if (!isNullCell(v)) return v!.trim();
    }
    return undefined;
  }
  /** The source column's own spelling (for CellError), or the folded name when absent. */
  source(name: string): string {
    return this.byFold.get(name) ?? name;
  }
  /** An exact decimal, or undefined when empty; a non-number is refused with the source column. */
  num(name: string): Decimal | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!isDecimalString(v)) throw new CellError(this.source(name), v, 'a decimal number');
    return new Decimal(v);
  }
}

function foldMap(header: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const h of header) {
    const f = foldColumn(h);
    if (!m.has(f)) m.set(f, h);
  }
  return m;
}

const DAY_MS = 86_400_000;

function plusDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY_MS).toISOString();
}

/** First instant of the month after `iso`'s month (UTC). */
function nextMonth(iso: string): string {
  const d = new Date(iso);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
}

function put(out: Record<string, string>, col: string, v: string | Decimal | undefined): void {
  if (v === undefined) return;
  out[col] = typeof v === 'string' ? v : v.toFixed();
}

/**
 * Tags written as a JSON object (CUR 2.0 `resource_tags`, Azure `Tags`, which Azure writes with or
 * without the outer braces), or a BigQuery `labels` array of {key, value}. Values stay text.
 */
export function tagsFromJsonish(column: string, text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let t = text.trim();
  if (t === '' || t === '{}' || t === '[]') return undefined;
  if (!t.startsWith('{') && !t.startsWith('[')) t = `{${t}}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    throw new CellError(column, text, 'tags as a JSON object ({"team":"ml"}) or a list of {"key","value"}');
  }
  const out: Record<string, string> = {};
  if (Array.isArray(parsed)) {
    for (const kv of parsed) {
      if (kv && typeof kv === 'object' && 'key' in kv) out[String((kv as { key: unknown }).key)] = String((kv as { value?: unknown }).value ?? '');
    }
  } else if (parsed && typeof parsed === 'object') {
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  } else {
    throw new CellError(column, text, 'tags as a JSON object');
  }
  return Object.keys(out).length ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// AWS Cost and Usage Report: CUR 2.0 (Data Exports) and legacy CUR, CSV or Parquet.

const CUR_USAGE_TYPES = new Set(['usage', 'discountedusage', 'savingsplancoveredusage', 'savingsplannegation']);
const CUR_PURCHASE_TYPES = new Set(['fee', 'rifee', 'savingsplanrecurringfee', 'savingsplanupfrontfee']);

function curMapper(header: string[]): ExportMapper {
  const byFold = foldMap(header);
  // Legacy CUR writes each tag as its own column (`resourceTags/user:team`); CUR 2.0 as one map.
  const tagColumns = header.filter((h) => /^resource_?tags[/:]/i.test(h)).map((h) => ({ src: h, key: h.replace(/^resource_?tags[/:]/i, '') }));
  return {
    kind: 'aws-cur',
    label: 'AWS Cost and Usage Report (CUR 2.0 or legacy CUR)',
    header: [...FOCUS_OUT, 'x_LineItemType', 'x_UsageType', 'x_Operation', 'x_InstanceType'],
    map(values) {
      const r = new Row(byFold, values);
      const out: Record<string, string> = {};
      const type = (r.get('lineitemlineitemtype') ?? 'Usage').toLowerCase();
      const unblended = r.num('lineitemunblendedcost');
      if (unblended === undefined) throw new CellError(r.source('lineitemunblendedcost'), '', 'a decimal number (the line item\'s cost)');
      // EffectiveCost as AWS's own FOCUS export derives it: commitment-covered usage at its
      // amortised rate, the fees that are amortised into that usage at 0, unused commitment kept.
      let effective: Decimal;
      if (type === 'savingsplancoveredusage') effective = r.num('savingsplansavingsplaneffectivecost') ?? unblended;
      else if (type === 'discountedusage') effective = r.num('reservationeffectivecost') ?? unblended;
      else if (type === 'savingsplannegation' || type === 'savingsplanupfrontfee') effective = new Decimal(0);
      else if (type === 'savingsplanrecurringfee') {
        const total = r.num('savingsplantotalcommitmenttodate');
        const used = r.num('savingsplanusedcommitment');
        effective = total !== undefined && used !== undefined ? total.minus(used) : unblended;
      } else if (type === 'rifee') {
        const upfront = r.num('reservationunusedamortizedupfrontfeeforbillingperiod');
        const recurring = r.num('reservationunusedrecurringfee');
        effective = upfront !== undefined || recurring !== undefined ? (upfront ?? new Decimal(0)).plus(recurring ?? 0) : unblended;
      } else if (type === 'fee' && r.get('reservationreservationarn') !== undefined) effective = new Decimal(0);
      else effective = unblended;
      put(out, 'BilledCost', unblended);
      put(out, 'EffectiveCost', effective);
      put(out, 'ListCost', r.num('pricingpublicondemandcost'));
      put(out, 'ChargePeriodStart', r.get('lineitemusagestartdate'));
      put(out, 'ChargePeriodEnd', r.get('lineitemusageenddate'));
      put(out, 'BillingPeriodStart', r.get('billbillingperiodstartdate'));
      put(out, 'BillingPeriodEnd', r.get('billbillingperiodenddate'));
      put(out, 'BillingCurrency', r.get('lineitemcurrencycode') ?? 'USD');
      put(out, 'BillingAccountId', r.get('billpayeraccountid'));
      put(out, 'BillingAccountName', r.get('billpayeraccountname'));
      put(out, 'SubAccountId', r.get('lineitemusageaccountid'));
      put(out, 'SubAccountName', r.get('lineitemusageaccountname'));
      out.ProviderName = 'AWS';
      put(out, 'PublisherName', r.get('billbillingentity') === 'AWS Marketplace' ? r.get('productproductname', 'lineitemlegalentity') : 'AWS');
      put(out, 'InvoiceIssuerName', r.get('billinvoicingentity', 'lineitemlegalentity'));
      put(out, 'ServiceName', r.get('productproductname', 'productservicename', 'productservicecode', 'lineitemproductcode'));
      put(out, 'RegionId', r.get('productregioncode', 'productregion'));
      put(out, 'AvailabilityZone', r.get('lineitemavailabilityzone'));
      put(out, 'ResourceId', r.get('lineitemresourceid'));
      put(out, 'SkuId', r.get('productsku'));
      put(out, 'ChargeDescription', r.get('lineitemlineitemdescription'));
      put(out, 'ConsumedQuantity', CUR_USAGE_TYPES.has(type) ? r.num('lineitemusageamount') : undefined);
      put(out, 'PricingUnit', r.get('pricingunit'));
      const covered = type === 'savingsplancoveredusage' || type === 'discountedusage';
      out.ChargeCategory = CUR_USAGE_TYPES.has(type) ? 'Usage' : type === 'tax' ? 'Tax' : CUR_PURCHASE_TYPES.has(type) ? 'Purchase' : type === 'credit' || type === 'refund' || type.endsWith('discount') ? 'Credit' : 'Adjustment';
      if (type === 'refund') out.ChargeClass = 'Correction';
      const usageType = r.get('lineitemusagetype') ?? '';
      if (out.ChargeCategory === 'Usage') out.PricingCategory = covered ? 'Committed' : /spotusage/i.test(usageType) ? 'Dynamic' : 'Standard';
      const commitment = r.get('savingsplansavingsplanarn', 'reservationreservationarn');
      if (commitment !== undefined && (covered || type === 'rifee' || type === 'savingsplanrecurringfee')) {
        out.CommitmentDiscountId = commitment;
        out.CommitmentDiscountType = commitment.includes(':savingsplan') ? 'Savings Plan' : 'Reserved Instance';
        out.CommitmentDiscountCategory = commitment.includes(':savingsplan') ? 'Spend' : 'Usage';
        out.CommitmentDiscountStatus = covered ? 'Used' : 'Unused';
      }
      const tags: Record<string, string> = { ...(tagsFromJsonish(r.source('resourcetags'), r.get('resourcetags')) ?? {}) };
      for (const t of tagColumns) if (!isNullCell(values[t.src])) tags[t.key] = values[t.src]!.trim();
      if (Object.keys(tags).length) out.Tags = JSON.stringify(tags);
      put(out, 'x_LineItemType', r.get('lineitemlineitemtype'));
      put(out, 'x_UsageType', usageType || undefined);
      put(out, 'x_Operation', r.get('lineitemoperation'));
      put(out, 'x_InstanceType', r.get('productinstancetype'));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Azure Cost Management exports (actual or amortised cost; EA and MCA column sets).

function azureMapper(header: string[]): ExportMapper {
  const byFold = foldMap(header);
  const costColumn = ['costinbillingcurrency', 'pretaxcost', 'cost'].find((c) => byFold.has(c))!;
  return {
    kind: 'azure-cost',
    label: 'Azure Cost Management export',
    header: [...FOCUS_OUT, 'x_ResourceGroupName', 'x_MeterName', 'x_ChargeType', 'x_PricingModel'],
    map(values) {
      const r = new Row(byFold, values);
      const out: Record<string, string> = {};
      const cost = r.num(costColumn);
      if (cost === undefined) throw new CellError(r.source(costColumn), '', 'a decimal number (the row\'s cost)');
      const chargeType = (r.get('chargetype') ?? 'Usage').toLowerCase();
      const pricingModel = (r.get('pricingmodel') ?? 'OnDemand').toLowerCase();
      const committed = pricingModel === 'reservation' || pricingModel === 'savingsplan';
      // Microsoft's FOCUS conversion: usage covered by a commitment is billed through the
      // commitment's purchase, so its BilledCost is 0 while its EffectiveCost carries the
      // amortised share (only an amortised export has it; an actual-cost export shows 0 there).
      const billed = chargeType === 'usage' && committed ? new Decimal(0) : cost;
      put(out, 'BilledCost', billed);
      put(out, 'EffectiveCost', chargeType === 'purchase' && committed ? new Decimal(0) : cost);
      const qty = r.num('quantity');
      const payg = r.num('paygprice');
      const unit = r.num('unitprice');
      if (qty !== undefined && payg !== undefined) put(out, 'ListCost', payg.times(qty));
      if (qty !== undefined && unit !== undefined) put(out, 'ContractedCost', unit.times(qty));
      const dateSrc = r.source('date');
      const start = timeCell(dateSrc, r.get('date', 'usagedatetime'));
      if (start === null) throw new CellError(dateSrc, '', 'a date (it is mandatory)');
      // Azure writes the day of the charge; FOCUS wants [start, end) of the charge.
      out.ChargePeriodStart = start;
      out.ChargePeriodEnd = plusDays(start, 1);
      const bpStart = timeCell(r.source('billingperiodstartdate'), r.get('billingperiodstartdate'));
      const bpEnd = timeCell(r.source('billingperiodenddate'), r.get('billingperiodenddate'));
      if (bpStart) out.BillingPeriodStart = bpStart;
      // Azure's end date is the period's last day, inclusive; FOCUS's end is exclusive.
      if (bpEnd) out.BillingPeriodEnd = plusDays(bpEnd, 1);
      put(out, 'BillingCurrency', r.get('billingcurrency', 'billingcurrencycode', 'currency'));
      put(out, 'BillingAccountId', r.get('billingprofileid', 'billingaccountid'));
      put(out, 'BillingAccountName', r.get('billingprofilename', 'billingaccountname'));
      put(out, 'SubAccountId', r.get('subscriptionid', 'subscriptionguid'));
      put(out, 'SubAccountName', r.get('subscriptionname'));
      out.ProviderName = 'Microsoft';
      put(out, 'PublisherName', r.get('publishername') ?? 'Microsoft');
      put(out, 'ServiceName', r.get('metercategory', 'servicename', 'consumedservice'));
      put(out, 'ServiceCategory', r.get('servicefamily'));
      put(out, 'RegionId', r.get('resourcelocation', 'location'));
      put(out, 'ResourceId', r.get('resourceid', 'instanceid'));
      put(out, 'ResourceName', r.get('resourcename'));
      put(out, 'SkuId', r.get('productid', 'productorderid'));
      put(out, 'ChargeDescription', r.get('productname', 'product'));
      put(out, 'ConsumedQuantity', chargeType === 'usage' ? qty : undefined);
      put(out, 'PricingUnit', r.get('unitofmeasure'));
      out.ChargeCategory =
        chargeType === 'usage' || chargeType === 'unusedreservation' || chargeType === 'unusedsavingsplan'
          ? 'Usage'
          : chargeType === 'purchase' || chargeType === 'refund'
            ? 'Purchase'
            : chargeType === 'tax'
              ? 'Tax'
              : chargeType === 'credit'
                ? 'Credit'
                : 'Adjustment';
      if (chargeType === 'refund') out.ChargeClass = 'Correction';
      if (out.ChargeCategory === 'Usage') out.PricingCategory = committed || chargeType.startsWith('unused') ? 'Committed' : pricingModel === 'spot' ? 'Dynamic' : 'Standard';
      const benefit = r.get('benefitid', 'reservationid');
      if (benefit !== undefined && (committed || chargeType.startsWith('unused'))) {
        out.CommitmentDiscountId = benefit;
        put(out, 'CommitmentDiscountName', r.get('benefitname', 'reservationname'));
        const spend = /\/microsoft\.billingbenefits\//i.test(benefit) || pricingModel === 'savingsplan';
        out.CommitmentDiscountCategory = spend ? 'Spend' : 'Usage';
        out.CommitmentDiscountType = spend ? 'Savings Plan' : 'Reservation';
        out.CommitmentDiscountStatus = chargeType.startsWith('unused') ? 'Unused' : 'Used';
      }
      const tags = tagsFromJsonish(r.source('tags'), r.get('tags'));
      if (tags) out.Tags = JSON.stringify(tags);
      put(out, 'x_ResourceGroupName', r.get('resourcegroup', 'resourcegroupname'));
      put(out, 'x_MeterName', r.get('metername'));
      put(out, 'x_ChargeType', r.get('chargetype'));
      put(out, 'x_PricingModel', r.get('pricingmodel'));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Google Cloud billing export to BigQuery (standard or detailed), as CSV (dotted columns) or
// newline-delimited JSON (flattened to the same dotted names by the reader).

/** "2024-08-01 07:00:00 UTC" (BigQuery's text form) → ISO 8601. */
function bigQueryTime(column: string, v: string | undefined): string | null {
  if (v === undefined) return null;
  return timeCell(column, v.replace(/\s+UTC$/i, 'Z').replace(/ (?=\d{2}:)/, 'T'));
}

/** Sum of the `amount`s in a BigQuery credits array, read from its text so it stays exact. */
export function creditsTotal(column: string, text: string | undefined): Decimal {
  let total = new Decimal(0);
  if (text === undefined || text.trim() === '' || text.trim() === '[]') return total;
  if (!text.trim().startsWith('[')) throw new CellError(column, text, 'a JSON list of credits such as [{"name":"…","amount":-1.5}]');
  const re = /"amount"\s*:\s*"?(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) total = total.plus(m[1]!);
  return total;
}

function gcpMapper(header: string[]): ExportMapper {
  const byFold = foldMap(header);
  return {
    kind: 'gcp-billing',
    label: 'Google Cloud billing export (BigQuery)',
    header: [...FOCUS_OUT, 'x_CostBeforeCredits', 'x_Credits', 'x_CostType', 'x_SkuDescription'],
    map(values) {
      const r = new Row(byFold, values);
      const out: Record<string, string> = {};
      const cost = r.num('cost');
      if (cost === undefined) throw new CellError(r.source('cost'), '', 'a decimal number (the row\'s cost)');
      // Credits (sustained and committed use discounts, promotions) are negative amounts on the
      // same row; what the invoice charges for the row is the cost net of them.
      const credits = creditsTotal(r.source('credits'), r.get('credits'));
      const net = cost.plus(credits);
      put(out, 'BilledCost', net);
      put(out, 'EffectiveCost', net);
      put(out, 'ListCost', r.num('costatlist'));
      const startSrc = r.source('usagestarttime');
      const start = bigQueryTime(startSrc, r.get('usagestarttime'));
      const end = bigQueryTime(r.source('usageendtime'), r.get('usageendtime'));
      if (start === null) throw new CellError(startSrc, '', 'a timestamp (it is mandatory)');
      out.ChargePeriodStart = start;
      out.ChargePeriodEnd = end ?? start;
      const month = r.get('invoicemonth');
      if (month !== undefined) {
        const m = /^(\d{4})(\d{2})$/.exec(month);
        if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new CellError(r.source('invoicemonth'), month, 'a month as YYYYMM');
        out.BillingPeriodStart = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)).toISOString();
        out.BillingPeriodEnd = nextMonth(out.BillingPeriodStart);
      }
      put(out, 'BillingCurrency', r.get('currency'));
      put(out, 'BillingAccountId', r.get('billingaccountid'));
      put(out, 'SubAccountId', r.get('projectid'));
      put(out, 'SubAccountName', r.get('projectname'));
      out.ProviderName = 'Google Cloud';
      put(out, 'PublisherName', r.get('sellername') ?? 'Google Cloud');
      put(out, 'ServiceName', r.get('servicedescription'));
      put(out, 'RegionId', r.get('locationregion', 'locationlocation'));
      put(out, 'AvailabilityZone', r.get('locationzone'));
      put(out, 'ResourceId', r.get('resourceglobalname', 'resourcename'));
      put(out, 'ResourceName', r.get('resourcename'));
      put(out, 'SkuId', r.get('skuid'));
      put(out, 'ChargeDescription', r.get('skudescription'));
      put(out, 'ConsumedQuantity', r.num('usageamount'));
      put(out, 'ConsumedUnit', r.get('usageunit'));
      put(out, 'PricingQuantity', r.num('usageamountinpricingunits'));
      put(out, 'PricingUnit', r.get('usagepricingunit'));
      const costType = (r.get('costtype') ?? 'regular').toLowerCase();
      out.ChargeCategory = costType === 'regular' ? 'Usage' : costType === 'tax' ? 'Tax' : 'Adjustment';
      const tags = tagsFromJsonish(r.source('labels'), r.get('labels'));
      if (tags) out.Tags = JSON.stringify(tags);
      put(out, 'x_CostBeforeCredits', cost);
      if (!credits.isZero()) put(out, 'x_Credits', credits);
      put(out, 'x_CostType', r.get('costtype'));
      put(out, 'x_SkuDescription', r.get('skudescription'));
      return out;
    },
  };
}

/** The FOCUS columns a mapped row may carry: every column Penny types. */
const FOCUS_OUT: readonly string[] = TYPED_COLUMNS;

/**
 * Which export this header is, or undefined (a FOCUS file, or something Penny does not read).
 * Each provider is recognised by the columns no other export has together.
 */
export function exportMapper(header: string[]): ExportMapper | undefined {
  const f = new Set(header.map(foldColumn));
  if (f.has('billedcost') && f.has('chargeperiodstart')) return undefined;
  if (f.has('lineitemunblendedcost') && f.has('lineitemusagestartdate')) return curMapper(header);
  if (f.has('usagestarttime') && f.has('cost') && (f.has('servicedescription') || f.has('billingaccountid'))) return gcpMapper(header);
  const azureCost = ['costinbillingcurrency', 'pretaxcost', 'cost'].some((c) => f.has(c));
  if (azureCost && f.has('date') && (f.has('metercategory') || f.has('subscriptionid') || f.has('subscriptionguid'))) return azureMapper(header);
  return undefined;
}
