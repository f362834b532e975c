import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { BarChart, BoxplotChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';

// Only what the dashboard draws is registered, which keeps ECharts to a fraction of its full size.
use([CanvasRenderer, BarChart, BoxplotChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent]);

// Colours and text style are shared with the PDF report.
export { GRADE_COLORS, ACCENT, MUTED, baseTextStyle, esc, dot } from '@perflens/charts/palette';

/** Tests and screenshots must never race an animation (the brief: webdriver ⇒ no animation). */
export const isAutomated = typeof navigator !== 'undefined' && navigator.webdriver === true;

