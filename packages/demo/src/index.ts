import type { Warehouse } from '@perflens/warehouse';

export interface DemoOptions {
  employees?: number;
  seed?: number;
}

export interface DemoSummary {
  employees: number;
  orgUnits: number;
  periods: number;
  assessments: number;
  kpiLines: number;
}

export async function loadDemo(_wh: Warehouse, _options: DemoOptions = {}): Promise<DemoSummary> {
  throw new Error('demo generator not implemented yet');
}
