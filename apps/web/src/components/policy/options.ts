import { use } from 'echarts/core';
import { MarkAreaComponent } from 'echarts/components';

// The shared chart setup registers line/bar/markLine; the shaded windows need markArea too.
use([MarkAreaComponent]);

// The options are shared with the PDF report, so the page and the report draw the same chart.
export { seriesOption, eventStudyOption } from '@perflens/charts/policy';
export { TREATED_COLOR, CONTROL_COLOR } from '@perflens/charts/palette';
