/**
 * An SVG chart of history, forecast (P50) and the P10–P90 band. Pure string building, no
 * dependencies: the CLI writes it to a file (`--plot`), the dashboard can embed it.
 */
import type { ForecastResult } from './forecast.js';
import { slotTime } from './series.js';

const W = 960;
const H = 420;
const M = { left: 70, right: 20, top: 40, bottom: 50 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceStep(span: number, ticks: number): number {
  const raw = span / Math.max(1, ticks);
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(a < 1 ? 2 : 1);
}

export function forecastChartSvg(r: ForecastResult, historyPoints?: number): string {
  const s = r.series;
  const n = s.values.length;
  const keep = Math.min(n, historyPoints ?? Math.max(r.points.length * 3, 48));
  const hist = Array.from({ length: keep }, (_, k) => ({ t: slotTime(s, n - keep + k), y: s.values[n - keep + k]!, filled: s.filled[n - keep + k] === 1 }));
  const t0 = hist[0]?.t ?? r.points[0]!.t;
  const t1 = r.points[r.points.length - 1]?.t ?? hist[hist.length - 1]!.t;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of hist) ((lo = Math.min(lo, p.y)), (hi = Math.max(hi, p.y)));
  for (const p of r.points) ((lo = Math.min(lo, p.p10)), (hi = Math.max(hi, p.p90)));
  // Demand near zero reads best from a zero axis; demand far above it would be a flat line.
  if (r.nonNegative && lo < hi - lo) lo = Math.min(lo, 0);
  if (hi === lo) ((hi += 1), (lo -= lo === 0 ? 0 : 1));
  const step = niceStep(hi - lo, 6);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const x = (t: number) => M.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - ((v - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const pt = (t: number, v: number) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${M.left}" y="22" font-size="15" font-weight="600">${esc(`${s.name} (${s.unit}) · ${r.model} · P10–P90 coverage in backtest ${r.chosen.coverage !== undefined ? `${Math.round(r.chosen.coverage * 100)}%` : 'n/a'}`)}</text>`);
  for (let v = lo; v <= hi + step / 2; v += step) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  const span = t1 - t0;
  const tick = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 28 * 86_400_000].find((d) => span / d <= 10) ?? 28 * 86_400_000;
  for (let t = Math.ceil(t0 / tick) * tick; t <= t1; t += tick) {
    const iso = new Date(t).toISOString();
    const label = tick >= 86_400_000 ? iso.slice(5, 10) : tick >= 3_600_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
    out.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#f3f3f3"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" fill="#555">${label}</text>`);
  }
  if (r.points.length) {
    const band = [...r.points.map((p) => pt(p.t, p.p90)), ...r.points.slice().reverse().map((p) => pt(p.t, p.p10))].join(' ');
    out.push(`<polygon points="${band}" fill="#4e79a7" fill-opacity="0.22" stroke="none"><title>P10–P90</title></polygon>`);
  }
  if (hist.length) out.push(`<polyline points="${hist.map((p) => pt(p.t, p.y)).join(' ')}" fill="none" stroke="#333" stroke-width="1.3"><title>history</title></polyline>`);
  for (const p of hist) if (p.filled) out.push(`<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="2.5" fill="#e15759"><title>filled gap</title></circle>`);
  const last = hist[hist.length - 1];
  const p50 = [...(last ? [pt(last.t, last.y)] : []), ...r.points.map((p) => pt(p.t, p.p50))].join(' ');
  out.push(`<polyline points="${p50}" fill="none" stroke="#4e79a7" stroke-width="2"><title>P50</title></polyline>`);
  if (last) out.push(`<line x1="${x(last.t).toFixed(1)}" x2="${x(last.t).toFixed(1)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#999" stroke-dasharray="4 3"/>`);
  const ly = H - 14;
  out.push(`<line x1="${M.left}" x2="${M.left + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="#333" stroke-width="1.3"/><text x="${M.left + 30}" y="${ly}">history</text>`);
  out.push(`<line x1="${M.left + 100}" x2="${M.left + 124}" y1="${ly - 4}" y2="${ly - 4}" stroke="#4e79a7" stroke-width="2"/><text x="${M.left + 130}" y="${ly}">P50 forecast</text>`);
  out.push(`<rect x="${M.left + 230}" y="${ly - 10}" width="24" height="10" fill="#4e79a7" fill-opacity="0.22"/><text x="${M.left + 260}" y="${ly}">P10–P90</text>`);
  out.push(`<text x="${W - M.right}" y="${ly}" text-anchor="end" fill="#555">UTC</text>`);
  out.push('</svg>');
  return out.join('\n');
}
