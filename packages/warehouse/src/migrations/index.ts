import * as m001 from './001_canonical.ts';
import * as m002 from './002_analytics.ts';
import * as m003 from './003_analytics_enums.ts';
import * as m004 from './004_assessment_cube.ts';
import * as m010 from './010_calibration.ts';
import * as m011 from './011_ranking_cells.ts';
import * as m020 from './020_simulation.ts';
import * as m021 from './021_kpi_lines.ts';
import * as m030 from './030_roles.ts';
import * as m040 from './040_auth.ts';
import * as m041 from './041_person_stints.ts';

/** Ordered, append-only list. Never edit a shipped migration: add the next number. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: m001.name, sql: m001.sql },
  { version: 2, name: m002.name, sql: m002.sql },
  { version: 3, name: m003.name, sql: m003.sql },
  { version: 4, name: m004.name, sql: m004.sql },
  { version: 10, name: m010.name, sql: m010.sql },
  { version: 11, name: m011.name, sql: m011.sql },
  { version: 20, name: m020.name, sql: m020.sql },
  { version: 21, name: m021.name, sql: m021.sql },
  { version: 30, name: m030.name, sql: m030.sql },
  { version: 40, name: m040.name, sql: m040.sql },
  { version: 41, name: m041.name, sql: m041.sql },
];
