/** Simulations: scheduling policies side by side on the same trace and cluster. */
import { api, type Job, type RunResult } from '../api.js';
import { chart } from '../chart.js';
// The repository's own examples, bundled, so the form starts from something that runs.
import exampleScenario from '../../../examples/sim/cloud.yaml?raw';
import exampleJobs from '../../../examples/sim/jobs.csv?raw';
import { card, h, table, html } from '../dom.js';
import { money, num, pct, moneyAxis } from '../format.js';
import { withRuns, type RunStarter } from './runs.js';
import { cheapestPolicy, shortfall } from '../sim-cheapest.js';



/** A simulation run's result: replay (a trace with arrival times) or fill (a pod list). */
type SimResult = Extract<RunResult, { mode: unknown }>;
/** A fill-mode policy (pod lists without times): what the cluster could not place as it filled. */
type FillResult = Extract<SimResult, { mode: 'fill' }>['policies'][number];

const hours = (s: number) => `${num(s / 3600, 1)} h`;

/** The policies the API accepts (src/core/sim/policies), the default ones ticked. */
const POLICIES = ['fifo', 'priority', 'sjf', 'backfill', 'best-fit', 'least-loaded', 'round-robin', 'hash', 'perf-cost', 'dot-product', 'gpu-packing', 'random-fit', 'fgd', 'always-spot', 'always-on-demand', 'greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard'];
const DEFAULT_POLICIES = ['fifo', 'sjf', 'backfill', 'best-fit', 'least-loaded'];

function simulationStarter(): RunStarter {
  const form = h(html`<form id="sim-form" class="run-form">
      <label for="sim-scenario">Simulation scenario (YAML; spot pools take a preemption rate or availability, not a trace file; see docs/simulator.md)</label>
      <textarea id="sim-scenario" name="scenario" rows="12" spellcheck="false" required>${exampleScenario}</textarea>
      <label for="sim-jobs">Jobs (CSV text: a job trace with arrival times, or a pod list to fill the cluster)</label>
      <textarea id="sim-jobs" name="jobs" rows="8" wrap="off" spellcheck="false" required>${exampleJobs}</textarea>
      <label>Or read the jobs from a file <input type="file" id="sim-jobs-file" accept=".csv,text/csv" /></label>
      <fieldset class="policies"><legend>Policies to compare</legend>${POLICIES.map((p) => html`<label><input type="checkbox" name="policy" value="${p}" ${DEFAULT_POLICIES.includes(p) ? html`checked` : ''} /> ${p}</label>`)}</fieldset>
      <div><button type="submit">Simulate and record</button></div>
    </form>`) as HTMLFormElement;
  const file = form.querySelector<HTMLInputElement>('#sim-jobs-file')!;
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f) (form.elements.namedItem('jobs') as HTMLTextAreaElement).value = await f.text();
  });
  return {
    title: 'Run a new simulation',
    form,
    submit: (f) => {
      const data = new FormData(f);
      const body = { scenario: String(data.get('scenario')), jobs: String(data.get('jobs')), policies: data.getAll('policy').map(String) };
      return api<Job>('/api/simulations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    },
  };
}

export function simulations(root: HTMLElement): Promise<void> {
  return withRuns<SimResult>(root, 'simulation', 'Simulations', 'Record one with: penny simulate examples/sim/spot.yaml --trace examples/sim/spot-jobs.csv --save (or run penny demo).', (run, into) => {
    const r = run.result;
    const c = r.currency ?? 'USD';
    if (r.mode === 'fill') {
      fillView(r.scenario, r.policies, c, into);
      return;
    }
    // The cheapest policy is a recommendation only if it does the work (web/src/sim-cheapest.ts).
    const pick = cheapestPolicy(r.policies);
    const cheapCard = !pick
      ? ''
      : pick.meets && !pick.cheaper
        ? card('Cheapest', pick.best.policy, `${money(pick.best.cost.total, c, 0)}, every job finished in time`)
        : pick.meets
          ? card('Cheapest that finishes every job in time', pick.best.policy, `${money(pick.best.cost.total, c, 0)}; ${pick.cheaper!.policy} costs ${money(pick.cheaper!.cost.total, c, 0)} with ${shortfall(pick.cheaper!)}`)
          : card('Cheapest', pick.best.policy, `${money(pick.best.cost.total, c, 0)}, with ${shortfall(pick.best)} (no policy finishes every job in time${pick.cheaper ? `; ${pick.cheaper.policy} costs ${money(pick.cheaper.cost.total, c, 0)} with ${shortfall(pick.cheaper)}` : ''})`);
    into.append(
      h(html`<div class="cards">
        ${card('Policies compared', String(r.policies.length), `${r.scenario} · ${r.mode}`)}
        ${cheapCard}
        ${card('Jobs', num(r.policies[0]?.jobs.total ?? 0), 'in the trace')}
      </div>`),
    );
    const grid = h(html`<div class="grid2"></div>`);
    into.append(grid);
    const left = h(html`<section><h2>Cost by policy</h2></section>`);
    const right = h(html`<section><h2>Utilisation and deadline misses</h2></section>`);
    grid.append(left, right);
    const names = r.policies.map((p) => p.policy);
    const pricing = [...new Set(r.policies.flatMap((p) => Object.keys(p.cost.byPricing)))];
    chart(left, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => money(Number(v), c, 0) },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyAxis(v, c) } },
      series: pricing.map((k) => ({ name: k, type: 'bar', stack: 'cost', data: r.policies.map((p) => Number(p.cost.byPricing[k] ?? 0)) })),
    }, { id: 'chart-sim-cost', label: `Cost of each policy, stacked by pricing: ${r.policies.map((p) => `${p.policy} ${money(p.cost.total, c, 0)}`).join(', ')}.` });
    chart(right, {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
      yAxis: [{ type: 'value', name: 'utilisation', max: 1, axisLabel: { formatter: (v: number) => pct(v, 0) } }, { type: 'value', name: 'misses' }],
      series: [
        { name: 'utilisation', type: 'bar', data: r.policies.map((p) => p.utilisation) },
        { name: 'deadline misses', type: 'line', yAxisIndex: 1, data: r.policies.map((p) => p.jobs.deadlineMisses) },
      ],
    }, { id: 'chart-sim-util', label: `Utilisation (bars) and deadline misses (line) per policy: ${r.policies.map((p) => `${p.policy} ${pct(p.utilisation)}, ${p.jobs.deadlineMisses} misses`).join('; ')}.` });
    into.append(h(html`<h2>Policies side by side</h2>`));
    into.append(
      table(
        [
          { label: 'Policy' },
          { label: `Cost (${c})`, num: true },
          { label: `Idle (${c})`, num: true },
          { label: 'Utilisation', num: true },
          { label: 'JCT p50', num: true },
          { label: 'JCT p90', num: true },
          { label: 'Queue p90', num: true },
          { label: 'Preemptions', num: true },
          { label: 'Deadline misses', num: true },
          { label: 'Unscheduled', num: true },
        ],
        r.policies.map((p) => [p.policy, money(p.cost.total, c), money(p.cost.idle, c), pct(p.utilisation), p.jobs.finished > 0 ? hours(p.completionTimeS.p50) : '—', p.jobs.finished > 0 ? hours(p.completionTimeS.p90) : '—', p.jobs.finished + (p.jobs.runningAtEnd ?? 0) + p.jobs.preemptions > 0 ? hours(p.queueingDelayS.p90) : '—', num(p.jobs.preemptions), `${num(p.jobs.deadlineMisses)} / ${num(p.jobs.withDeadline)}`, num(p.jobs.unschedulable)]),
        { id: 'sim-table' },
      ),
    );
  }, simulationStarter());
}

/**
 * Fill mode: the share of arriving GPU demand refused as the cluster fills (the figure of Weng et
 * al., ATC'23), and the GPUs left stranded at the end, with what they cost.
 */
function fillView(scenario: string, policies: FillResult[], c: string, into: HTMLElement): void {
  const best = [...policies].sort((a, b) => a.unplacedShare - b.unplacedShare)[0];
  const p0 = policies[0];
  const order = p0 ? (p0.order === 'shuffled' ? `pods shuffled (seed ${p0.seed})` : 'pods in list order') : '';
  into.append(
    h(html`<div class="cards">
      ${card('Policies compared', String(policies.length), `${scenario} · fill mode`)}
      ${best ? card('Least refused', best.policy, `${pct(best.unplacedShare)} of GPU demand refused, ${num(best.strandedGpus, 1)} GPUs stranded`) : ''}
      ${p0 ? card('Cluster', `${num(p0.clusterGpus)} GPUs`, `${money(p0.clusterCostPerHour, c, 2)}/h · ${num(p0.pods)} pods arrived, ${order}`) : ''}
    </div>`),
  );
  const grid = h(html`<div class="grid2"></div>`);
  into.append(grid);
  const left = h(html`<section><h2>Refused GPU demand as the cluster fills</h2></section>`);
  const right = h(html`<section><h2>Stranded GPUs at the end</h2></section>`);
  grid.append(left, right);
  chart(left, {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => pct(Number(v)) },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 8, right: 24, top: 36, bottom: 24, containLabel: true },
    xAxis: { type: 'value', name: 'GPU demand arrived / cluster GPUs', nameLocation: 'middle', nameGap: 28, min: 0, max: 'dataMax', axisLabel: { formatter: (v: number) => pct(v, 0) } },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => pct(v, 0) } },
    series: policies.map((p) => ({ name: p.policy, type: 'line', showSymbol: false, data: p.curve.map((x) => [x.arrivedShare, x.unplacedShare]) })),
  }, { id: 'chart-fill-curve', label: `Share of arriving GPU demand refused as demand grows to ${pct(Math.max(0, ...policies.flatMap((p) => p.curve.map((x) => x.arrivedShare))), 0)} of the cluster, one line per policy; at the end: ${policies.map((p) => `${p.policy} ${pct(p.unplacedShare)}`).join(', ')}.` });
  const names = policies.map((p) => p.policy);
  chart(right, {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
    yAxis: [{ type: 'value', name: 'GPUs' }, { type: 'value', name: `${c}/h`, axisLabel: { formatter: (v: number) => moneyAxis(v, c) } }],
    series: [
      { name: 'stranded GPUs', type: 'bar', data: policies.map((p) => p.strandedGpus) },
      { name: `stranded ${c}/h`, type: 'line', yAxisIndex: 1, data: policies.map((p) => Number(p.strandedCostPerHour)) },
    ],
  }, { id: 'chart-fill-stranded', label: `Stranded GPUs (bars) and their cost per hour (line) per policy: ${policies.map((p) => `${p.policy} ${num(p.strandedGpus, 1)} GPUs, ${money(p.strandedCostPerHour, c, 2)}/h`).join('; ')}.` });
  into.append(h(html`<h2>Policies side by side</h2>`));
  into.append(
    table(
      [
        { label: 'Policy' },
        { label: 'Pods', num: true },
        { label: 'Arrived GPUs', num: true },
        { label: 'Refused GPUs', num: true },
        { label: 'Refused', num: true },
        { label: 'Allocated', num: true },
        { label: 'First refusal', num: true },
        { label: 'Stranded GPUs', num: true },
        { label: `Stranded ${c}/h`, num: true },
      ],
      policies.map((p) => [
        p.policy,
        num(p.pods),
        num(p.arrivedGpus, 1),
        num(p.unplacedGpus, 1),
        pct(p.unplacedShare),
        pct(p.allocatedGpus / p.clusterGpus),
        p.firstFailureAtShare === null ? 'none' : `at ${pct(p.firstFailureAtShare)}`,
        num(p.strandedGpus, 1),
        money(p.strandedCostPerHour, c, 2),
      ]),
      { id: 'fill-table' },
    ),
  );
}
