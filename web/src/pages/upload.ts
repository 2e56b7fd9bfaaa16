/** Upload a file for ingest: streamed to the server, processed as a job, progress over SSE. */
import { api, followJob, type Job } from '../api.js';
import { errorState, h } from '../dom.js';
import { money } from '../format.js';

export async function upload(root: HTMLElement): Promise<void> {
  root.append(h('<h1>Upload</h1>'));
  root.append(h('<p>Upload a scenario (YAML or JSON) to cost it and record it in the workspace.</p>'));
  const form = h(`<form id="upload-form">
      <input type="file" name="file" id="upload-file" accept=".yaml,.yml,.json,.csv,.gz,.parquet" required />
      <button type="submit">Upload and ingest</button>
    </form>`) as HTMLFormElement;
  const progress = h('<div class="progress" hidden><progress id="upload-progress" max="1" value="0"></progress> <span id="upload-label"></span></div>');
  const result = h('<div id="upload-result"></div>');
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
      const done = await followJob<{ kind: string; report?: { total: string; currency: string; scenario: string } }>(job.id, (j) => {
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
      const r = done.result?.report;
      result.append(h(`<p class="ok" data-state="done">Ingested ${file.name} as ${done.result?.kind}${r ? `: ${r.scenario}, total ${money(r.total, r.currency)}` : ''}. <a href="#/overview">See the overview</a>.</p>`));
    } catch (e) {
      result.append(errorState(e));
    } finally {
      progress.hidden = true;
    }
  });
}
