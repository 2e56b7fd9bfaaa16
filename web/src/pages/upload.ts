/** Upload a file for ingest: streamed to the server, processed as a job, progress over SSE. */
import { api, followJob, type Job, type JobResult } from '../api.js';
import { errorState, h, html, type SafeHtml } from '../dom.js';
import { money } from '../format.js';

/** What an ingest job returns (src/adapters/http/routes/uploads.ts): the job results with a kind of file. */
type UploadResult = Extract<JobResult, { kind: unknown }>;

/** Say what the server did, from its answer: a file ingested before changes nothing, and says so. */
function outcome(name: string, r: UploadResult | undefined): HTMLElement {
  const overview = html`<a href="#/overview">See the overview</a>.`;
  let text: SafeHtml;
  if (r?.kind === 'focus' && r.status === 'already-ingested') {
    text = html`<p class="note" data-state="unchanged">Already ingested: ${name} has the same content as a file ingested${r.file?.ingestedAt ? ` on ${r.file.ingestedAt.slice(0, 16).replace('T', ' ')}` : ' before'}; nothing changed.</p>`;
  } else if (r?.kind === 'focus') {
    text = html`<p class="ok" data-state="done">Ingested ${name} as FOCUS billing${r.file?.rows !== undefined ? `: ${r.file.rows.toLocaleString('en-US')} rows` : ''}. ${r.notes?.join(' ') ?? ''} ${overview}</p>`;
  } else if (r?.kind === 'nvidia-smi' && r.status === 'already-ingested') {
    text = html`<p class="note" data-state="unchanged">Already ingested: ${name} has the same content as a GPU log ingested before; nothing changed.</p>`;
  } else if (r?.kind === 'nvidia-smi') {
    // What was skipped is said, so a count lower than the file's rows is not a silent loss.
    const t = r.telemetry;
    const skipped = [
      t.repeatedRows ? `${t.repeatedRows.toLocaleString('en-US')} row${t.repeatedRows === 1 ? '' : 's'} repeating an earlier row of the file` : '',
      t.duplicates ? `${t.duplicates.toLocaleString('en-US')} sample${t.duplicates === 1 ? '' : 's'} already stored from an earlier log` : '',
    ].filter(Boolean);
    text = html`<p class="ok" data-state="done">Ingested ${name} as an nvidia-smi log: ${t.samples.toLocaleString('en-US')} sample${t.samples === 1 ? '' : 's'} of ${t.gpus} GPU${t.gpus === 1 ? '' : 's'}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}. <a href="#/gpus">See the GPUs</a>.</p>`;
  } else if (r?.kind === 'scenario' && r.report) {
    text = html`<p class="ok" data-state="done">Costed and recorded ${name} as a scenario: ${r.report.scenario}, total ${money(r.report.total, r.report.currency)}. ${overview}</p>`;
  } else {
    text = html`<p class="ok" data-state="done">Ingested ${name} as ${r?.kind ?? 'a file'}. ${overview}</p>`;
  }
  return h(text);
}

export async function upload(root: HTMLElement): Promise<void> {
  root.append(h(html`<h1>Upload</h1>`));
  root.append(h(html`<p>Upload a scenario (YAML or JSON) to cost it and record it, a FOCUS billing export (CSV, CSV.gz or Parquet) or an nvidia-smi CSV log to ingest it.</p>`));
  const form = h(html`<form id="upload-form">
      <label for="upload-file">File to ingest</label>
      <input type="file" name="file" id="upload-file" accept=".yaml,.yml,.json,.csv,.gz,.parquet" required />
      <button type="submit">Upload and ingest</button>
    </form>`) as HTMLFormElement;
  const progress = h(html`<div class="progress" hidden><progress id="upload-progress" max="1" value="0" aria-label="Upload progress"></progress> <span id="upload-label" role="status"></span></div>`);
  const result = h(html`<div id="upload-result"></div>`);
  root.append(form, progress, result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.replaceChildren();
    const input = form.querySelector<HTMLInputElement>('#upload-file')!;
    const file = input.files?.[0];
    if (!file) return;
    const bar = progress.querySelector('progress')!;
    const label = progress.querySelector('#upload-label')!;
    progress.hidden = false;
    bar.removeAttribute('value');
    label.textContent = `uploading ${file.name}…`;
    try {
      const body = new FormData();
      body.append('file', file);
      const job = await api<Job>('/api/uploads', { method: 'POST', body });
      const done = await followJob<UploadResult>(job.id, (j) => {
        if (j.progress.total > 0) {
          bar.max = j.progress.total;
          bar.value = j.progress.done;
        }
        label.textContent = `${j.status}: ${j.progress.label} ${j.progress.done}/${j.progress.total}`;
      });
      if (done.status === 'failed' || done.status === 'cancelled') {
        result.append(errorState({ problem: done.error ?? { type: 'about:blank', title: 'Cancelled', status: 409, detail: `The job for ${file.name} was cancelled.` } }));
        return;
      }
      result.append(outcome(file.name, done.result));
    } catch (e) {
      result.append(errorState(e));
    } finally {
      progress.hidden = true;
    }
  });
}
