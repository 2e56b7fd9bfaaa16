/** Shared by the pages that show recorded runs: pick one (newest first) and load it. */
import { api } from '../api.js';
import { emptyState, h } from '../dom.js';
import { escapeHtml } from '../format.js';

export interface RunSummary {
  id: string;
  kind: string;
  name: string;
  createdAt: string;
  summary: Record<string, unknown>;
}

export interface Run<R> extends RunSummary {
  result: R;
}

/**
 * Render a selector of the recorded runs of `kind` and call `show` with the chosen one; an honest
 * empty state (with the command that records one) when there is none.
 */
export async function withRuns<R>(root: HTMLElement, kind: string, title: string, howToRecord: string, show: (run: Run<R>, into: HTMLElement) => Promise<void> | void): Promise<void> {
  root.append(h(`<h1>${escapeHtml(title)}</h1>`));
  const runs = await api<RunSummary[]>(`/api/runs?kind=${encodeURIComponent(kind)}`);
  if (runs.length === 0) {
    root.append(emptyState(`No ${kind} recorded in this workspace`, howToRecord));
    return;
  }
  const select = h(`<label class="picker">Recorded: <select id="run-select">${runs.map((r) => `<option value="${escapeHtml(r.id)}">${escapeHtml(r.name)} · ${escapeHtml(r.createdAt.slice(0, 16).replace('T', ' '))}</option>`).join('')}</select></label>`);
  const body = h('<div id="run-body"></div>');
  root.append(select, body);
  const load = async (id: string) => {
    body.replaceChildren();
    const run = await api<Run<R>>(`/api/runs/${encodeURIComponent(id)}`);
    await show(run, body);
  };
  select.querySelector('select')!.addEventListener('change', (e) => void load((e.target as HTMLSelectElement).value));
  await load(runs[0]!.id);
}
