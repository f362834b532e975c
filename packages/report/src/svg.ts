import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import type { EChartsCoreOption } from 'echarts/core';
import { FONT_FAMILY } from './fonts.ts';

// ECharts' own server-side rendering (no DOM, no canvas): the same options as the dashboard
// become an SVG string that the PDF embeds as vector paths and text.
echarts.use([SVGRenderer, BarChart, HeatmapChart, LineChart, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent]);

/**
 * One chart as SVG. Animation is off (a server render has no frames) and every text uses the
 * embedded font's family name, which the PDF layer maps to the embedded CJK font; tooltips
 * and other interactive parts of the option are simply not drawn.
 */
export function chartSvg(option: EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false, textStyle: { ...((option as { textStyle?: object }).textStyle ?? {}), fontFamily: FONT_FAMILY } });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
