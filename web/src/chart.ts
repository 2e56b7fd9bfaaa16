/** ECharts, loaded once, with only the parts the dashboard uses (a smaller bundle). */
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent, VisualMapComponent, DataZoomComponent, MarkLineComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// MarkLine draws budget lines; without it ECharts ignores `markLine` silently.
echarts.use([BarChart, LineChart, PieChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, VisualMapComponent, DataZoomComponent, MarkLineComponent, CanvasRenderer]);

const live = new Map<echarts.ECharts, ResizeObserver>();

export type Option = echarts.EChartsCoreOption;

export interface ChartOptions {
  /** What the chart shows, in words: its text alternative for screen readers. */
  label: string;
  height?: number;
  id?: string;
}

/**
 * Draw a chart into a new element appended to `parent`; disposed when the page changes.
 * Tooltips are drawn on the canvas (renderMode richText), not as HTML: names from the data never
 * become markup, and no inline style attribute is needed under the Content-Security-Policy. A
 * tooltip formatter therefore returns plain text (lines split by \n).
 */
export function chart(parent: HTMLElement, option: Option, opts: ChartOptions): echarts.ECharts {
  const el = document.createElement('div');
  el.className = 'chart';
  if (opts.id) el.id = opts.id;
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', opts.label);
  el.style.height = `${opts.height ?? 320}px`;
  parent.appendChild(el);
  const c = echarts.init(el, undefined, { renderer: 'canvas' });
  const tooltip = option.tooltip as Record<string, unknown> | undefined;
  // One scrolling line of legend: a wrapped legend would run into the plot on a phone.
  const legend = option.legend as Record<string, unknown> | undefined;
  if (legend && !legend.type) legend.type = 'scroll';
  // Ticks that would collide on a narrow chart are dropped rather than drawn over each other.
  for (const axes of [option.xAxis, option.yAxis]) {
    for (const a of (Array.isArray(axes) ? axes : axes ? [axes] : []) as Record<string, unknown>[]) a.axisLabel = { hideOverlap: true, ...(a.axisLabel as object | undefined) };
  }
  c.setOption({
    animation: false,
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    ...option,
    ...(tooltip && { tooltip: { confine: true, ...tooltip, renderMode: 'richText' } }),
  });
  // Follows its container, not only the window: the grid reflows when the page narrows.
  const ro = new ResizeObserver(() => c.resize());
  ro.observe(el);
  live.set(c, ro);
  return c;
}

export function disposeCharts(): void {
  live.forEach((ro, c) => {
    ro.disconnect();
    c.dispose();
  });
  live.clear();
}
