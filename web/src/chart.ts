/** ECharts, loaded once, with only the parts the dashboard uses (a smaller bundle). */
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent, VisualMapComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, VisualMapComponent, DataZoomComponent, CanvasRenderer]);

const live = new Set<echarts.ECharts>();
window.addEventListener('resize', () => live.forEach((c) => c.resize()));

export type Option = echarts.EChartsCoreOption;

/** Draw a chart into a new element appended to `parent`; disposed when the page changes. */
export function chart(parent: HTMLElement, option: Option, opts: { height?: number; id?: string } = {}): echarts.ECharts {
  const el = document.createElement('div');
  el.className = 'chart';
  if (opts.id) el.id = opts.id;
  el.style.height = `${opts.height ?? 320}px`;
  parent.appendChild(el);
  const c = echarts.init(el, undefined, { renderer: 'canvas' });
  c.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
  live.add(c);
  return c;
}

export function disposeCharts(): void {
  live.forEach((c) => c.dispose());
  live.clear();
}
