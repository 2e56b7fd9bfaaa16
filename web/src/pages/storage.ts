/** Storage: the dated price catalog, and a tier plan for an object list pasted as CSV. */
import { api, type ApiResponse } from '../api.js';
import { card, emptyState, errorState, h, html, table } from '../dom.js';
import { money, num } from '../format.js';

type Prices = ApiResponse<'/api/storage/prices'>;
type Plan = ApiResponse<'/api/storage/plan', 'post'>;

/** A small list to start from: a hot prefix and a checkpoint read once (docs/storage.md). */
export const EXAMPLE_OBJECTS = `key,size_bytes,created,accessed
ckpt/run1/step1000.pt,10737418240,2025-01-01T00:00:00Z,2025-01-02T00:00:00Z
hot/features.parquet,1048576,2025-01-01T00:00:00Z,2025-01-05T00:00:00Z;2025-01-20T00:00:00Z;2025-02-04T00:00:00Z;2025-02-19T00:00:00Z;2025-03-06T00:00:00Z
`;

/** The objects CSV of the CLI (docs/storage.md), without quoted fields: keys with commas go through the CLI. */
function parseObjects(text: string): { key: string; sizeBytes: number; created: string; accessed: string[] }[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((s) => s.trim());
  const col = (name: string) => header.indexOf(name);
  if (col('key') < 0 || col('size_bytes') < 0 || col('created') < 0) throw new Error('the first line must be the header key,size_bytes,created,accessed');
  return lines.map((l) => {
    const cells = l.split(',');
    const accessed = col('accessed') >= 0 ? (cells[col('accessed')] ?? '').split(';').map((s) => s.trim()).filter(Boolean) : [];
    return { key: (cells[col('key')] ?? '').trim(), sizeBytes: Number(cells[col('size_bytes')]), created: (cells[col('created')] ?? '').trim(), accessed };
  });
}

export async function storage(root: HTMLElement): Promise<void> {
  root.append(h(html`<h1>Storage</h1>`));
  const [prices, health] = await Promise.all([api<Prices>('/api/storage/prices'), api<ApiResponse<'/api/health'>>('/api/health')]);
  root.append(h(html`<h2>Tier plan</h2>`));
  if (health.readOnly) {
    root.append(h(html`<p class="note" data-state="read-only">This server runs with --read-only: plan tiers with the CLI (penny storage plan --inventory manifest.json --access-log …).</p>`));
  } else {
    const form = h(html`<form id="storage-form" class="run-form">
      <label for="storage-objects">Objects (CSV: key,size_bytes,created,accessed; read times separated by ;)</label>
      <textarea id="storage-objects" rows="6" spellcheck="false"></textarea>
      <label for="storage-provider">Cloud</label>
      <select id="storage-provider"><option value="aws">AWS S3</option><option value="gcp">Google Cloud Storage</option><option value="azure">Azure Blob</option></select>
      <label for="storage-horizon">Months of each object's life</label>
      <input id="storage-horizon" type="number" min="1" max="120" value="12">
      <label><input id="storage-by-object" type="checkbox" checked> each object on its own (else per prefix)</label>
      <button type="submit">Plan</button>
    </form>`) as HTMLFormElement;
    form.querySelector<HTMLTextAreaElement>('#storage-objects')!.value = EXAMPLE_OBJECTS;
    const result = h(html`<div id="storage-result"></div>`);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      result.replaceChildren();
      try {
        const objects = parseObjects(form.querySelector<HTMLTextAreaElement>('#storage-objects')!.value);
        const body = { objects, provider: form.querySelector<HTMLSelectElement>('#storage-provider')!.value, horizonMonths: Number(form.querySelector<HTMLInputElement>('#storage-horizon')!.value), byObject: form.querySelector<HTMLInputElement>('#storage-by-object')!.checked };
        const plan = await api<Plan>('/api/storage/plan', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const saving = Number(plan.totals.allStandard) - Number(plan.totals.plan);
        result.append(
          h(html`<div class="cards">
            ${card('Plan', money(plan.totals.plan, 'USD'), `${plan.horizonMonths} months, ${plan.provider} list prices of ${plan.pricesDate}`)}
            ${card('All standard', money(plan.totals.allStandard, 'USD'), `saving ${money(saving, 'USD')}`)}
            ${card('30/90-day rule', money(plan.totals.lifecycle3090, 'USD'))}
            ${card('Automatic tiering', plan.totals.autoTiering === null || plan.totals.autoTiering === undefined ? '—' : money(plan.totals.autoTiering, 'USD'))}
          </div>`),
          table(
            [{ label: 'Prefix or object' }, { label: 'Objects', num: true }, { label: 'GiB', num: true }, { label: 'Reads/month', num: true }, { label: 'Tier from month' }, { label: 'Plan', num: true }, { label: 'All standard', num: true }, { label: '30/90 rule', num: true }],
            plan.prefixes.map((p) => [p.prefix || '(top level)', num(p.objects), num(p.bytes / 1024 ** 3, 2), num(p.readsPerMonth ?? 0, 1), p.steps.map((s) => `${s.tierId.split(':')[1]} from ${s.fromMonth}`).join(' → '), money(p.plan, 'USD'), money(p.allStandard, 'USD'), money(p.lifecycle3090, 'USD')]),
            { id: 'storage-plan', caption: 'Cheapest tier schedule per prefix or object' },
          ),
          h(html`<h3>Lifecycle rules (${plan.provider})</h3>`),
          h(html`<pre id="storage-lifecycle">${JSON.stringify(plan.lifecycle.document, null, 2)}</pre>`),
        );
        // The rules alone do not give the plan's cost when it starts colder than the warmest class:
        // a rule cannot move objects into S3 Standard-IA before day 30, so new objects must be
        // uploaded into that class (as the CLI says under its table).
        const uploads = plan.lifecycle.uploads ?? [];
        const day0 = new Set(plan.lifecycle.day0 ?? []);
        if (uploads.length > 0) {
          const shown = uploads.slice(0, 50);
          result.append(
            h(html`<ul id="storage-uploads">${shown.map((u) => html`<li>Upload new <code>${u.prefix || '(top level)'}</code> objects with storage class <code>${u.storageClass ?? ''}</code>: no transition fee${day0.has(u.prefix ?? '') ? ' (the rule moves existing ones at day 0)' : ', and a rule cannot move objects there before day 30'}.</li>`)}${uploads.length > shown.length ? html`<li>and ${num(uploads.length - shown.length)} more prefixes (penny storage plan --json lists them all)</li>` : ''}</ul>`),
          );
        }
      } catch (e) {
        result.append(errorState(e));
      }
    });
    root.append(form, result);
  }
  root.append(h(html`<h2>Prices (list prices of ${prices.date}, USD)</h2>`));
  if (prices.tiers.length === 0) {
    root.append(emptyState('No storage prices', 'The built-in catalog is empty.'));
    return;
  }
  root.append(
    table(
      [{ label: 'Tier' }, { label: 'Storage /GiB-month', num: true }, { label: 'Retrieval /GiB', num: true }, { label: 'Read /1k', num: true }, { label: 'Min days', num: true }, { label: 'Access' }],
      prices.tiers.map((t) => [t.id, `$${t.storageUsdPerGibMonth}`, `$${t.retrievalUsdPerGib}`, `$${t.readUsdPer1000}`, num(t.minStorageDays), t.instantAccess ? 'instant' : 'restore first']),
      { id: 'storage-prices', caption: 'Storage tiers with retrieval, request and minimum-duration terms' },
    ),
    h(html`<p class="note">Sources: ${[...new Set(prices.tiers.map((t) => t.source))].join('; ')}</p>`),
  );
}
