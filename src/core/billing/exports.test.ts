import { describe, expect, it } from 'vitest';
import { CellError, parseFocusRow } from './focus.js';
import { creditsTotal, exportMapper, foldColumn, tagsFromJsonish } from './exports.js';

/** A row as the CSV reader gives it: header → cell. */
function row(header: string[], cells: string[]): Record<string, string> {
  return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
}

describe('column folding', () => {
  it('matches CUR 2.0, legacy CUR, Azure camelCase and BigQuery dotted names to one key', () => {
    expect(foldColumn('line_item_unblended_cost')).toBe(foldColumn('lineItem/UnblendedCost'));
    expect(foldColumn('costInBillingCurrency')).toBe(foldColumn('CostInBillingCurrency'));
    expect(foldColumn('service.description')).toBe('servicedescription');
  });
});

describe('detection', () => {
  it('leaves FOCUS files alone and recognises each provider by its own columns', () => {
    expect(exportMapper(['BilledCost', 'EffectiveCost', 'ChargePeriodStart', 'ChargePeriodEnd'])).toBeUndefined();
    expect(exportMapper(['line_item_unblended_cost', 'line_item_usage_start_date'])?.kind).toBe('aws-cur');
    expect(exportMapper(['lineItem/UnblendedCost', 'lineItem/UsageStartDate'])?.kind).toBe('aws-cur');
    expect(exportMapper(['Date', 'CostInBillingCurrency', 'MeterCategory'])?.kind).toBe('azure-cost');
    expect(exportMapper(['date', 'costInBillingCurrency', 'subscriptionId'])?.kind).toBe('azure-cost');
    expect(exportMapper(['billing_account_id', 'service.description', 'usage_start_time', 'cost'])?.kind).toBe('gcp-billing');
    expect(exportMapper(['timestamp', 'value'])).toBeUndefined();
  });
});

const CUR2 = [
  'bill_payer_account_id',
  'bill_billing_period_start_date',
  'bill_billing_period_end_date',
  'line_item_usage_account_id',
  'line_item_line_item_type',
  'line_item_usage_start_date',
  'line_item_usage_end_date',
  'line_item_product_code',
  'line_item_usage_type',
  'line_item_resource_id',
  'line_item_usage_amount',
  'line_item_unblended_cost',
  'line_item_currency_code',
  'pricing_public_on_demand_cost',
  'product_region_code',
  'product_instance_type',
  'savings_plan_savings_plan_effective_cost',
  'savings_plan_savings_plan_a_r_n',
  'resource_tags',
];

describe('AWS CUR', () => {
  const m = exportMapper(CUR2)!;
  it('maps an on-demand usage line exactly', () => {
    const out = m.map(
      row(CUR2, ['111122223333', '2024-08-01T00:00:00Z', '2024-09-01T00:00:00Z', '444455556666', 'Usage', '2024-08-03T05:00:00Z', '2024-08-03T06:00:00Z', 'AmazonEC2', 'USE1-BoxUsage:p5.48xlarge', 'i-0abc', '1', '98.32', 'USD', '98.32', 'us-east-1', 'p5.48xlarge', '', '', '{"user_team":"research"}']),
    );
    expect(out).toMatchObject({
      BilledCost: '98.32',
      EffectiveCost: '98.32',
      ListCost: '98.32',
      BillingAccountId: '111122223333',
      SubAccountId: '444455556666',
      ProviderName: 'AWS',
      ServiceName: 'AmazonEC2',
      RegionId: 'us-east-1',
      ResourceId: 'i-0abc',
      ChargeCategory: 'Usage',
      PricingCategory: 'Standard',
      ConsumedQuantity: '1',
      x_InstanceType: 'p5.48xlarge',
      Tags: '{"user_team":"research"}',
    });
    const focus = parseFocusRow(out, 2);
    expect(focus.money.BilledCost).toBe('98.32');
    expect(focus.tags).toEqual({ user_team: 'research' });
    expect(focus.times.ChargePeriodStart).toBe('2024-08-03T05:00:00.000Z');
  });

  it('amortises Savings Plan usage: billed on the negation, effective at the plan rate', () => {
    const arn = 'arn:aws:savingsplans::111122223333:savingsplan/abc';
    const covered = m.map(row(CUR2, ['1', '2024-08-01T00:00:00Z', '2024-09-01T00:00:00Z', '2', 'SavingsPlanCoveredUsage', '2024-08-03T05:00:00Z', '2024-08-03T06:00:00Z', 'AmazonEC2', 'BoxUsage', 'i-1', '1', '98.32', 'USD', '98.32', 'us-east-1', '', '61.2345', arn, '']));
    const negation = m.map(row(CUR2, ['1', '2024-08-01T00:00:00Z', '2024-09-01T00:00:00Z', '2', 'SavingsPlanNegation', '2024-08-03T05:00:00Z', '2024-08-03T06:00:00Z', 'AmazonEC2', 'BoxUsage', 'i-1', '1', '-98.32', 'USD', '', 'us-east-1', '', '', arn, '']));
    expect(covered).toMatchObject({ BilledCost: '98.32', EffectiveCost: '61.2345', PricingCategory: 'Committed', CommitmentDiscountType: 'Savings Plan', CommitmentDiscountStatus: 'Used' });
    expect(negation).toMatchObject({ BilledCost: '-98.32', EffectiveCost: '0', ChargeCategory: 'Usage' });
  });

  it('reads legacy CUR tag columns and names the source column of a bad cell', () => {
    const h = ['lineItem/UsageStartDate', 'lineItem/UsageEndDate', 'lineItem/UnblendedCost', 'lineItem/LineItemType', 'resourceTags/user:team'];
    const legacy = exportMapper(h)!;
    expect(legacy.map(row(h, ['2024-08-01T00:00:00Z', '2024-08-01T01:00:00Z', '0.50', 'Tax', 'ml']))).toMatchObject({ ChargeCategory: 'Tax', Tags: '{"user:team":"ml"}', BilledCost: '0.5' });
    try {
      legacy.map(row(h, ['2024-08-01T00:00:00Z', '2024-08-01T01:00:00Z', 'ten', 'Usage', '']));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CellError);
      expect((e as CellError).column).toBe('lineItem/UnblendedCost');
    }
  });
});

const AZURE = ['BillingAccountId', 'BillingPeriodStartDate', 'BillingPeriodEndDate', 'SubscriptionId', 'Date', 'MeterCategory', 'ResourceLocation', 'ResourceId', 'Quantity', 'UnitPrice', 'PayGPrice', 'CostInBillingCurrency', 'BillingCurrency', 'ChargeType', 'PricingModel', 'BenefitId', 'Tags', 'ResourceGroup'];

describe('Azure Cost Management', () => {
  const m = exportMapper(AZURE)!;
  it('maps a day of usage with exclusive end dates, list and contracted cost', () => {
    const out = m.map(row(AZURE, ['8611537', '08/01/2024', '08/31/2024', 'sub-1', '08/15/2024', 'Virtual Machines', 'eastus', '/subscriptions/sub-1/vm1', '24', '3.40', '3.672', '81.60', 'EUR', 'Usage', 'OnDemand', '', '"team": "vision","env": "prod"', 'rg-ml']));
    expect(out).toMatchObject({
      BilledCost: '81.6',
      EffectiveCost: '81.6',
      ListCost: '88.128',
      ContractedCost: '81.6',
      ChargePeriodStart: '2024-08-15T00:00:00.000Z',
      ChargePeriodEnd: '2024-08-16T00:00:00.000Z',
      BillingPeriodStart: '2024-08-01T00:00:00.000Z',
      BillingPeriodEnd: '2024-09-01T00:00:00.000Z',
      BillingCurrency: 'EUR',
      ServiceName: 'Virtual Machines',
      PricingCategory: 'Standard',
      x_ResourceGroupName: 'rg-ml',
    });
    expect(JSON.parse(out.Tags!)).toEqual({ team: 'vision', env: 'prod' });
  });

  it('bills reservation usage at 0 and its purchase at full price, as Microsoft\'s FOCUS conversion does', () => {
    const benefit = '/providers/Microsoft.Capacity/reservationOrders/1/reservations/2';
    const usage = m.map(row(AZURE, ['1', '08/01/2024', '08/31/2024', 's', '08/15/2024', 'Virtual Machines', 'eastus', 'r', '24', '0', '3.672', '40.00', 'USD', 'Usage', 'Reservation', benefit, '', '']));
    const purchase = m.map(row(AZURE, ['1', '08/01/2024', '08/31/2024', 's', '08/01/2024', 'Virtual Machines', 'eastus', 'r', '1', '0', '0', '1200.00', 'USD', 'Purchase', 'Reservation', benefit, '', '']));
    expect(usage).toMatchObject({ BilledCost: '0', EffectiveCost: '40', PricingCategory: 'Committed', CommitmentDiscountCategory: 'Usage', CommitmentDiscountStatus: 'Used' });
    expect(purchase).toMatchObject({ BilledCost: '1200', EffectiveCost: '0', ChargeCategory: 'Purchase' });
  });
});

const GCP = ['billing_account_id', 'service.description', 'sku.id', 'sku.description', 'usage_start_time', 'usage_end_time', 'project.id', 'labels', 'location.region', 'cost', 'currency', 'usage.amount', 'usage.unit', 'credits', 'invoice.month', 'cost_type', 'cost_at_list'];

describe('Google Cloud billing export', () => {
  const m = exportMapper(GCP)!;
  it('nets credits into the billed cost exactly and reads BigQuery timestamps and labels', () => {
    const out = m.map(
      row(GCP, [
        '01ABCD-234567-89EFGH',
        'Compute Engine',
        'ABCD-1234',
        'Nvidia Tesla A100 GPU running in Americas',
        '2024-08-03 05:00:00 UTC',
        '2024-08-03 06:00:00 UTC',
        'ml-prod',
        '[{"key":"team","value":"nlp"}]',
        'us-central1',
        '2.933908',
        'USD',
        '3600',
        'seconds',
        '[{"name":"Sustained usage discount","amount":-0.586782,"type":"SUSTAINED_USAGE_DISCOUNT"},{"name":"Promo","amount":-0.1,"type":"PROMOTION"}]',
        '202408',
        'regular',
        '2.933908',
      ]),
    );
    expect(out).toMatchObject({
      BilledCost: '2.247126',
      EffectiveCost: '2.247126',
      x_CostBeforeCredits: '2.933908',
      x_Credits: '-0.686782',
      ChargePeriodStart: '2024-08-03T05:00:00.000Z',
      ChargePeriodEnd: '2024-08-03T06:00:00.000Z',
      BillingPeriodStart: '2024-08-01T00:00:00.000Z',
      BillingPeriodEnd: '2024-09-01T00:00:00.000Z',
      ProviderName: 'Google Cloud',
      ServiceName: 'Compute Engine',
      SubAccountId: 'ml-prod',
      ChargeCategory: 'Usage',
    });
    expect(JSON.parse(out.Tags!)).toEqual({ team: 'nlp' });
  });

  it('refuses an impossible invoice month, naming its column', () => {
    const bad = row(GCP, ['a', 's', 'k', 'd', '2024-08-03 05:00:00 UTC', '2024-08-03 06:00:00 UTC', 'p', '', 'r', '1', 'USD', '1', 'h', '[]', '202413', 'regular', '']);
    expect(() => m.map(bad)).toThrow(/invoice\.month/);
  });
});

describe('helpers', () => {
  it('sums credit amounts from their text, never through a float', () => {
    expect(creditsTotal('credits', '[{"amount":-0.1},{"amount":-0.2}]').toFixed()).toBe('-0.3');
    expect(creditsTotal('credits', '[]').toFixed()).toBe('0');
  });
  it('reads tags with or without braces and as key/value lists', () => {
    expect(tagsFromJsonish('Tags', '"a": "1"')).toEqual({ a: '1' });
    expect(tagsFromJsonish('labels', '[{"key":"k","value":"v"}]')).toEqual({ k: 'v' });
    expect(tagsFromJsonish('Tags', '')).toBeUndefined();
    expect(() => tagsFromJsonish('Tags', '{oops')).toThrow(CellError);
  });
});
