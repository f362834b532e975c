/**
 * Readable names of the metrics PerfLens knows (the demo company's and the usual HR ones);
 * a metric imported under another name is shown as its own name.
 */
export const METRIC_LABELS: Readonly<Record<string, { zh: string; en: string }>> = {
  sales: { zh: '销售额', en: 'sales' },
  satisfaction: { zh: '客户满意度', en: 'customer satisfaction' },
  turnover_rate: { zh: '离职率', en: 'turnover rate' },
  complaints: { zh: '投诉数', en: 'complaints' },
  order_accuracy: { zh: '订单准确率', en: 'order accuracy' },
  headcount: { zh: '在岗人数', en: 'headcount' },
  order_total: { zh: '订单总额', en: 'order total' },
  complaint_exposure: { zh: '投诉曝光次数', en: 'complaint exposures' },
  supervisor_ratio: { zh: '上级评价系数', en: 'supervisor ratio' },
};

export function metricLabel(name: string): { zh: string; en: string } {
  return METRIC_LABELS[name] ?? { zh: name, en: name };
}
