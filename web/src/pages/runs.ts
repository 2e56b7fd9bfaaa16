/** Shared by the pages that show recorded runs: pick one (newest first) and load it; start a new one. */
import { api, followJob, type ApiResponse, type Job, type JobResult } from '../api.js';
import { emptyState, errorState, h, html } from '../dom.js';

export type RunSummary = ApiResponse<'/api/runs'>[number];

/** A recorded run whose result is what the page's kind of run records (one member of the result's union). */
export type Run<R> = Omit<ApiResponse<'/api/runs/{id}'>, 'result'> & { result: R };

/** A form that starts a run on the server (a job) and reports when it is recorded. */
export interface RunStarter {
  /** Summary line of the collapsible form. */
  title: string;
  /** The form's fields (labelled controls) and its submit button. */
  form: HTMLFormElement;
  /** Post the form's content; resolves to the job the server started. */
  submit(form: HTMLFormElement): Promise<Job>;
}

/**
 * Render a selector of the recorded runs of `kind` and call `show` with the chosen one; an honest
 * empty state (with the command that records one) when there is none. With `starter`, a form
 * above them starts a new run, follows its progress live (Server-Sent Events) and shows the
 * recorded result when it is done.
 */
export async function withRuns<R>(root: HTMLElement, kind: string, title: string, howToRecord: string, show: (run: Run<R>, into: HTMLElement) => Promise<void> | void, starter?: RunStarter): Promise<void> {
  root.append(h(html`<h1>${title}</h1>`));
  const area = h(html`<div id="runs-area"></div>`);

  const refresh = async (selectId?: string) => {
    const runs = await api<RunSummary[]>(`/api/runs?kind=${encodeURIComponent(kind)}`);
    area.replaceChildren();
    if (runs.length === 0) {
      area.append(emptyState(`No ${kind} recorded in this workspace`, howToRecord));
      return;
    }
    const select = h(html`<label class="picker">Recorded: <select id="run-select">${runs.map((r) => html`<option value="${r.id}">${r.name} · ${r.createdAt.slice(0, 16).replace('T', ' ')}</option>`)}</select></label>`);
    const body = h(html`<div id="run-body"></div>`);
    area.append(select, body);
    const load = async (id: string) => {
      body.replaceChildren();
      body.dataset.run = id;
      const run = await api<Run<R>>(`/api/runs/${encodeURIComponent(id)}`);
      await show(run, body);
    };
    const sel = select.querySelector('select')!;
    sel.addEventListener('change', () => void load(sel.value).catch((e) => body.replaceChildren(errorState(e))));
    const first = selectId && runs.some((r) => r.id === selectId) ? selectId : runs[0]!.id;
    sel.value = first;
    await load(first);
  };

  if (starter) {
    const section = startSection(kind, starter, refresh);
    root.append(section);
    // A read-only server refuses every write: say so instead of offering a form that cannot work.
    void api<ApiResponse<'/api/health'>>('/api/health').then((hs) => {
      if (!hs.readOnly) return;
      starter.form.querySelectorAll('textarea, input, select, button').forEach((e) => ((e as HTMLInputElement).disabled = true));
      starter.form.before(h(html`<p class="note" data-state="read-only">This server runs with --read-only: record a ${kind} with the CLI (${howToRecord.replace(/^Record one with: /, '')}).</p>`));
    }, () => undefined);
  }
  root.append(area);
  await refresh();
}

function startSection(kind: string, starter: RunStarter, refresh: (id?: string) => Promise<void>): HTMLElement {
  const details = h(html`<details class="start" id="start-${kind}"><summary>${starter.title}</summary></details>`);
  const progress = h(html`<div class="progress" hidden><progress max="1" aria-label="${`${kind} progress`}"></progress> <span class="progress-label" role="status"></span></div>`);
  const result = h(html`<div class="start-result" id="start-result" aria-live="polite"></div>`);
  details.append(starter.form, progress, result);
  const button = starter.form.querySelector<HTMLButtonElement>('button[type=submit]');
  starter.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.replaceChildren();
    const bar = progress.querySelector('progress')!;
    const label = progress.querySelector('.progress-label')!;
    progress.hidden = false;
    bar.removeAttribute('value');
    label.textContent = 'sending…';
    if (button) button.disabled = true;
    try {
      const job = await starter.submit(starter.form);
      const done = await followJob<Extract<JobResult, { runId: unknown }>>(job.id, (j) => {
        if (j.progress.total > 0) {
          bar.max = j.progress.total;
          bar.value = j.progress.done;
        }
        label.textContent = `${j.status}: ${j.progress.label} ${j.progress.done}/${j.progress.total}`;
      });
      if (done.status === 'failed') {
        result.append(errorState({ problem: done.error }));
        return;
      }
      const runId = done.result?.runId;
      await refresh(runId);
      result.append(h(html`<p class="ok" data-state="done">Done: recorded as ${kind} ${runId ?? ''}, shown below.</p>`));
    } catch (e) {
      result.append(errorState(e));
    } finally {
      progress.hidden = true;
      if (button) button.disabled = false;
    }
  });
  return details;
}
