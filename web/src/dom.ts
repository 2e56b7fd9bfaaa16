/**
 * Building the page. Every value interpolated into markup is escaped unless it is itself markup
 * built by `html` (or the explicit `trusted` opt-in): names, tags and titles come from files and
 * API callers, so a name like `<img onerror=…>` must stay text. `h` takes only such markup, so
 * string-built HTML with data in it does not type-check.
 */
import type { ApiError } from './api.js';
import { html, type SafeHtml } from './escape.js';

export { escapeHtml, html, trusted, type Interpolation, type SafeHtml } from './escape.js';

/** One element from markup (the first element of it). */
export function h(markup: SafeHtml): HTMLElement {
  const t = document.createElement('template');
  t.innerHTML = markup.text.trim();
  return t.content.firstElementChild as HTMLElement;
}

export interface Col {
  label: string;
  num?: boolean;
}

/**
 * A table; numeric columns right-aligned with tabular figures. Wrapped in its own scrolling box so
 * a wide table scrolls inside the page instead of widening it (phones).
 */
export function table(cols: Col[], rows: string[][], opts: { caption?: string; id?: string } = {}): HTMLElement {
  const cls = (c: Col | undefined) => (c?.num ? 'num' : '');
  const el = h(html`<div class="table-wrap"><table${opts.id ? html` id="${opts.id}"` : ''}>${opts.caption ? html`<caption>${opts.caption}</caption>` : ''}<thead><tr>${cols.map((c) => html`<th scope="col" class="${cls(c)}">${c.label}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${r.map((v, i) => html`<td class="${cls(cols[i])}">${v}</td>`)}</tr>`)}</tbody></table></div>`);
  // The scrolling box is focusable so a keyboard can scroll it too.
  el.tabIndex = 0;
  if (opts.caption) el.setAttribute('aria-label', opts.caption);
  return el;
}

/** An honest empty state: what is missing and how to get it. */
export function emptyState(title: string, detail: string): HTMLElement {
  return h(html`<section class="empty" data-state="empty"><h2>${title}</h2><p>${detail}</p></section>`);
}

export function errorState(e: unknown): HTMLElement {
  const err = e as ApiError;
  const p = err?.problem;
  const issues = p?.issues?.map((i) => html`<li><code>${i.path || '(file)'}</code>${i.line ? ` line ${i.line}` : ''}: ${i.message}</li>`) ?? [];
  return h(html`<section class="error" role="alert"><h2>${p?.title ?? 'Error'}</h2><p>${p?.detail ?? String((e as Error)?.message ?? e)}</p>${issues.length ? html`<ul>${issues}</ul>` : ''}${p?.hint ? html`<p>${p.hint}</p>` : ''}</section>`);
}

export function card(label: string, value: string, note = ''): SafeHtml {
  return html`<div class="card"><div class="label">${label}</div><div class="value">${value}</div>${note ? html`<div class="note">${note}</div>` : ''}</div>`;
}
