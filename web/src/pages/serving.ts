/** Serving: a request trace pasted as CSV → every balancer × autoscaler against a TTFT SLO and the replica plan, as a job recorded as a run; recorded runs shown. */
import { api, type Job, type RunResult } from '../api.js';
import { card, h, html, table } from '../dom.js';
import { money, num, pct } from '../format.js';
import { withRuns, type RunStarter } from './runs.js';

/**
 * An example to start from: 15 minutes of requests whose rate doubles halfway, drawn from a fixed
 * linear congruential sequence so the page shows the same trace every time.
 */
export function exampleRequests(): string {
  let x = 12345;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
  const lines = ['time,context_tokens,generated_tokens,adapter'];
  for (let t = 0; t < 900; ) {
    t += -Math.log(1 - next()) / (t < 450 ? 1.5 : 3);
    lines.push(`${t.toFixed(3)},${100 + Math.floor(next() * 2400)},${10 + Math.floor(next() * 190)},lora-${Math.floor(next() ** 2 * 8)}`);
  }
  return lines.join('\n') + '\n';
}

function parseRequests(text: string): { time: number | string; contextTokens: number; generatedTokens: number; adapter?: string }[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((s) => s.trim());
  const col = (name: string) => header.indexOf(name);
  if (col('time') < 0 || col('context_tokens') < 0 || col('generated_tokens') < 0) throw new Error('the first line must be the header time,context_tokens,generated_tokens[,adapter]');
  return lines.map((l) => {
    const c = l.split(',').map((s) => s.trim());
    const t = c[col('time')] ?? '';
    const adapter = col('adapter') >= 0 ? c[col('adapter')] : undefined;
    return { time: /^\d+(\.\d+)?$/.test(t) ? Number(t) : t, contextTokens: Number(c[col('context_tokens')]), generatedTokens: Number(c[col('generated_tokens')]), ...(adapter && { adapter }) };
  });
}

const secs = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${num(x, x < 10 ? 2 : 1)} s`);

/** The serving comparison a run records (the run result's member with balancer × autoscaler rows). */
type ServingResult = Extract<RunResult, { fixedPeakReplicas: unknown }>;

function servingStarter(): RunStarter {
  const form = h(html`<form id="serving-form" class="run-form">
    <label for="serving-requests">Requests (CSV: time in seconds or ISO 8601, context_tokens, generated_tokens, adapter; up to 1,000,000 rows)</label>
    <textarea id="serving-requests" rows="6" spellcheck="false"></textarea>
    <label for="serving-gpu">GPU per replica</label>
    <select id="serving-gpu"><option>A100</option><option>H100</option><option>A100-80GB</option><option>L4</option><option>L40S</option><option>A10</option></select>
    <label for="serving-ttft">SLO: time to first token (s)</label>
    <input id="serving-ttft" type="number" min="0.05" step="0.05" value="2">
    <label for="serving-attainment">for this share of requests</label>
    <input id="serving-attainment" type="number" min="0.5" max="1" step="0.005" value="0.99">
    <div><button type="submit">Compare and record</button></div>
  </form>`) as HTMLFormElement;
  form.querySelector<HTMLTextAreaElement>('#serving-requests')!.value = exampleRequests();
  return {
    title: 'Compare serving set-ups on a request trace',
    form,
    submit: async (f) => {
      const body = {
        requests: parseRequests(f.querySelector<HTMLTextAreaElement>('#serving-requests')!.value),
        gpu: f.querySelector<HTMLSelectElement>('#serving-gpu')!.value,
        sloTtftS: Number(f.querySelector<HTMLInputElement>('#serving-ttft')!.value),
        sloAttainment: Number(f.querySelector<HTMLInputElement>('#serving-attainment')!.value),
      };
      return api<Job>('/api/serving', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    },
  };
}

export function serving(root: HTMLElement): Promise<void> {
  const about = h(html`<p class="note">How many GPU replicas, bought how, for requests to meet a time-to-first-token SLO at the least cost: every load balancer × autoscaler simulated on your request trace, the fixed-for-peak on-demand baseline, and the cheapest replica plan simulated to confirm it (docs/serving.md).</p>`);
  const shown = withRuns<ServingResult>(root, 'serving', 'Serving', 'Record one with: penny serving trace.csv --save, or the form above.', (run, into) => {
    const r = run.result;
    const base = r.results.find((x) => x.autoscaler === r.baseline.autoscaler && x.balancer === r.baseline.balancer)!;
    const rows = [...r.results.map((x) => ({ label: x.autoscaler, x })), ...(r.plan ? [{ label: `plan (${r.plan.profile.gpu})`, x: r.plan.result }] : [])];
    into.append(
      h(html`<div class="cards">
        ${card('Fixed for peak', money(base.costUsd.total, 'USD'), `${r.fixedPeakReplicas} on-demand replica${r.fixedPeakReplicas === 1 ? '' : 's'}, TTFT within the SLO for ${pct(base.sloAttainment, 2)}`)}
        ${card('Plan', r.plan ? money(r.plan.result.costUsd.total, 'USD') : '—', r.plan ? `${r.plan.profile.gpu}, ${pct(r.plan.result.sloAttainment, 2)} within the SLO` : '')}
        ${card('Requests', num(r.workload.requests), r.workload.durationS > 0 ? `${num(r.workload.meanRatePerS, 2)} per second` : 'all at one instant (no rate)')}
      </div>`),
      table(
        [{ label: 'Autoscaler' }, { label: 'Balancer' }, { label: 'Cost', num: true }, { label: 'Saving', num: true }, { label: 'TTFT ≤ SLO', num: true }, { label: 'Met' }, { label: 'TTFT p50', num: true }, { label: 'TTFT p99', num: true }, { label: 'On-demand h', num: true }, { label: 'Spot h', num: true }, { label: 'Dropped', num: true }],
        rows.map(({ label, x }) => [label, label.startsWith('plan') ? '' : x.balancer, money(x.costUsd.total, 'USD'), x.savingVsBaseline === null || x.savingVsBaseline === undefined ? '—' : pct(x.savingVsBaseline, 0), pct(x.sloAttainment, 2), x.sloMet ? 'yes' : 'no', secs(x.ttftS.p50), secs(x.ttftS.p99), num(x.replicaHours.onDemand, 2), num(x.replicaHours.spot, 2), num(x.dropped.total)]),
        { id: 'serving-table', caption: 'Every load balancer × autoscaler and the plan, against the fixed-for-peak baseline' },
      ),
      ...r.notes.map((n) => h(html`<p class="note">${n}</p>`)),
    );
  }, servingStarter());
  // withRuns puts the heading first, synchronously: the explanation goes under it.
  root.querySelector('h1')?.after(about);
  return shown;
}
