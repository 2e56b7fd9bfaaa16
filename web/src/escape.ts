/**
 * Markup that is safe by construction: the literal parts of an `html` template are markup, every
 * interpolated value is escaped unless it is itself such markup. No DOM here, so it is unit-tested
 * in Node (test/web-escape.test.ts).
 */
const SAFE = Symbol('safe-html');

/** Markup known to be safe: built by `html` (every interpolation escaped) or marked `trusted`. */
export interface SafeHtml {
  readonly [SAFE]: true;
  readonly text: string;
}

export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

const safe = (text: string): SafeHtml => ({ [SAFE]: true, text });

function isSafe(x: unknown): x is SafeHtml {
  return typeof x === 'object' && x !== null && (x as { [SAFE]?: unknown })[SAFE] === true;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);
}

function render(x: Interpolation): string {
  if (x === null || x === undefined || x === false) return '';
  if (Array.isArray(x)) return x.map(render).join('');
  if (isSafe(x)) return x.text;
  return escapeHtml(String(x));
}

/** Tagged template: the literal parts are markup, every `${…}` is escaped (arrays joined; null, undefined and false drop out). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return safe(out);
}

/** Opt-in for a fragment that is markup by construction (never data). Use sparingly, with a reason. */
export function trusted(markup: string): SafeHtml {
  return safe(markup);
}
