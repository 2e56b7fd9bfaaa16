import { escapeHtml } from './format.js';
import type { ApiError } from './api.js';

export function h(html: string): HTMLElement {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild as HTMLElement;
}

export interface Col {
  label: string;
  num?: boolean;
}

/** A table; numeric columns right-aligned with tabular figures. */
export function table(cols: Col[], rows: string[][], opts: { caption?: string; id?: string } = {}): HTMLElement {
  const head = cols.map((c) => `<th class="${c.num ? 'num' : ''}">${escapeHtml(c.label)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v, i) => `<td class="${cols[i]?.num ? 'num' : ''}">${escapeHtml(v)}</td>`).join('')}</tr>`).join('');
  return h(`<table ${opts.id ? `id="${opts.id}"` : ''}>${opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
}

/** An honest empty state: what is missing and how to get it. */
export function emptyState(title: string, detail: string): HTMLElement {
  return h(`<section class="empty" data-state="empty"><h2>${escapeHtml(title)}</h2><p>${escapeHtml(detail)}</p></section>`);
}

export function errorState(e: unknown): HTMLElement {
  const err = e as ApiError;
  const p = err?.problem;
  const issues = p?.issues?.map((i) => `<li><code>${escapeHtml(i.path || '(file)')}</code>${i.line ? ` line ${i.line}` : ''}: ${escapeHtml(i.message)}</li>`).join('') ?? '';
  return h(`<section class="error" role="alert"><h2>${escapeHtml(p?.title ?? 'Error')}</h2><p>${escapeHtml(p?.detail ?? String((e as Error)?.message ?? e))}</p>${issues ? `<ul>${issues}</ul>` : ''}${p?.hint ? `<p>${escapeHtml(p.hint)}</p>` : ''}</section>`);
}

export function card(label: string, value: string, note = ''): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${note ? `<div class="note">${escapeHtml(note)}</div>` : ''}</div>`;
}
