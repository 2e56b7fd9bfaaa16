/** Terminal output: aligned tables, money with currency, small bar charts, a progress bar. */
import { Decimal, formatMoney, groupThousands, minorUnits, roundPartsToTotal } from '../../core/money.js';
import type { Progress } from '../../app/ports.js';

export type Align = 'left' | 'right';
export interface Column {
  header: string;
  align?: Align;
}

/** Columns padded to their widest cell; numbers right-aligned so their digits line up. */
export function table(columns: Column[], rows: string[][], opts: { indent?: string } = {}): string {
  const widths = columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, widths[i]! - width(s)));
    return columns[i]!.align === 'right' ? gap + s : s + gap;
  };
  const indent = opts.indent ?? '';
  const line = (cells: string[]) => indent + cells.map(pad).join('  ').trimEnd();
  const rule = indent + widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join('\n');
}

/** Display width: counts code points, not UTF-16 units, so ¥ and █ take one column. */
export function width(s: string): number {
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

export function money(x: Decimal, currency: string): string {
  return formatMoney(x, currency);
}

/**
 * Parts of a total, each shown to the currency's minor unit so that the shown parts add up to
 * their shown total (largest remainder): a breakdown whose cents disagree with its total reads
 * as an error.
 */
export function moneyParts(parts: Decimal[], currency: string): string[] {
  const decimals = minorUnits(currency);
  return roundPartsToTotal(parts, decimals).map((x) => formatMoney(x, currency, decimals));
}

export function num(x: number | Decimal, decimals = 0): string {
  const d = x instanceof Decimal ? x : new Decimal(String(x));
  return groupThousands(d.toDecimalPlaces(decimals, Decimal.ROUND_HALF_EVEN).toFixed(decimals));
}

export function pct(x: number | Decimal, decimals = 1): string {
  const d = x instanceof Decimal ? x : new Decimal(String(x));
  return `${d.times(100).toDecimalPlaces(decimals).toFixed(decimals)}%`;
}

/**
 * A share of a gap closed, in whole percent rounded down: 99.6% is "99%", so a list of actions
 * that does not close a budget's overrun never reads "100%" beside "not enough to close it".
 */
export function pctClosed(x: Decimal): string {
  return pct(x.toDecimalPlaces(2, Decimal.ROUND_DOWN), 0);
}

/** A horizontal bar of `cells` wide for share ∈ [0, 1], with eighth-block resolution. */
export function bar(share: number, cells = 24): string {
  const eighths = Math.round(Math.max(0, Math.min(1, share)) * cells * 8);
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  return '█'.repeat(full) + (rest ? ('▏▎▍▌▋▊▉'[rest - 1] ?? '') : '');
}

/**
 * A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, --json), so
 * machine-readable stdout is never mixed with it.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY === true): Progress {
  let total = 0;
  let label = '';
  let last = 0;
  let started = 0;
  return {
    start(t, l) {
      total = t;
      label = l;
      started = Date.now();
    },
    tick(done) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 80 && done < total) return;
      last = now;
      const share = total > 0 ? done / total : 0;
      const secs = (now - started) / 1000;
      stream.write(`\r${label} ${bar(share, 30).padEnd(30, '░')} ${(share * 100).toFixed(0).padStart(3)}%  ${num(done)}/${num(total)}  ${secs.toFixed(1)} s`);
    },
    finish() {
      if (enabled && total > 0) stream.write('\r\x1b[2K');
    },
  };
}
