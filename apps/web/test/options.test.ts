import { describe, expect, it } from 'vitest';
import type { GradesResult } from '@/api/contract';
import { trendOption } from '@/lib/options';

const t = (k: string) => k;
function periods(n: number): GradesResult {
  const zero = { A: 0, B: 0, C: 0, D: 0, E: 0 };
  const groups = Array.from({ length: n }, (_, i) => ({ key: `p${i}`, label: `2023-${String((i % 12) + 1).padStart(2, '0')}`, total: 1, counts: zero, shares: zero }));
  return { grades: ['A', 'B', 'C', 'D', 'E'], ungraded: 0, groups } as unknown as GradesResult;
}
type AxisLabel = { interval: number; rotate: number };
const label = (n: number) => (trendOption(periods(n), t as never) as { xAxis: { axisLabel: AxisLabel } }).xAxis.axisLabel;

describe('trend chart period labels', () => {
  // An explicit interval keeps at most 12 labels without ECharts measuring each one.
  it.each([
    [0, 0, 0],
    [3, 0, 0],
    [12, 0, 0],
    [13, 1, 45],
    [24, 1, 45],
    [36, 2, 45],
    [120, 9, 45],
  ])('%d periods: every %dth+1 label, rotated %d°', (n, interval, rotate) => {
    expect(label(n)).toEqual({ interval, rotate });
    // Labels shown = ceil(n / (interval + 1)) ≤ 12.
    if (n) expect(Math.ceil(n / (interval + 1))).toBeLessThanOrEqual(12);
  });

  it('skips the outer-bounds label pass (margins are fixed per chart)', () => {
    expect((trendOption(periods(36), t as never) as { grid: { outerBoundsMode: string } }).grid.outerBoundsMode).toBe('none');
  });
});
