import { type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk, type DuckDBType, DOUBLE, INTEGER, SMALLINT, TINYINT } from '@duckdb/node-api';
import { BUILTIN_SCHEMES, GRADES, RATER_RELATIONS, ROLES } from '@perflens/core';
import { refreshAnalyticsOn, registerKpiCodesOn, syncKeysOn, type Warehouse } from '@perflens/warehouse';
import { z } from 'zod';
import { buildCompany, demoPeriods, type DemoCompany, MONTHS, ORG_UNITS } from './company.ts';
import { type DemoSink, KPI_CODES, METRICS, SCHEME_IDS, simulate } from './simulate.ts';

export const demoOptionsSchema = z.object({
  employees: z.number().int().min(30).max(2_000_000).default(1200),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** Benchmarks may skip the ~8 KPI lines per employee-month. */
  kpiLines: z.boolean().default(true),
  /** Progress lines on stderr; defaults to on for 20,000+ employees. */
  progress: z.boolean().optional(),
});
export type DemoOptions = z.input<typeof demoOptionsSchema>;

export interface DemoSummary {
  employees: number;
  orgUnits: number;
  periods: number;
  assessments: number;
  kpiLines: number;
  raterScores: number;
  metrics: number;
  batchId: number;
  seed: number;
  ms: number;
}

const STAGE_ROWS = 1_000_000;
const CHUNK = 2048; // DuckDB's vector size: one data chunk per append

/**
 * Column buffer appended as whole data chunks. Numeric columns are copied into DuckDB vectors in
 * one native call each, which is what makes tens of millions of rows cheap; strings (employee
 * and period ids, KPI codes) are rebuilt in SQL from small integers when the month is flushed.
 */
class ChunkBuffer {
  private readonly cols: (number | null)[][];
  private len = 0;
  rows = 0;
  constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly DuckDBType[],
  ) {
    this.cols = types.map(() => new Array<number | null>(CHUNK).fill(null));
  }
  push(...values: (number | null)[]): void {
    for (let c = 0; c < values.length; c++) this.cols[c]![this.len] = values[c]!;
    if (++this.len === CHUNK) this.flushChunk();
    this.rows++;
  }
  flushChunk(): void {
    if (this.len === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.len);
    chunk.setColumns(this.len === CHUNK ? this.cols : this.cols.map((c) => c.slice(0, this.len)));
    this.appender.appendDataChunk(chunk);
    this.len = 0;
  }
  close(): void {
    this.flushChunk();
    this.appender.flushSync();
    this.appender.closeSync();
  }
}

const STAGING_FACTS = `
CREATE OR REPLACE TEMP TABLE _demo_kpi (e INTEGER, p SMALLINT, k SMALLINT, target DOUBLE, actual DOUBLE, score DOUBLE, weight DOUBLE, r INTEGER);
CREATE OR REPLACE TEMP TABLE _demo_rater (e INTEGER, p SMALLINT, rater INTEGER, rel TINYINT, score DOUBLE, r INTEGER);
CREATE OR REPLACE TEMP TABLE _demo_assess (e INTEGER, p SMALLINT, u SMALLINT, role TINYINT, s SMALLINT, score DOUBLE, g TINYINT, coef DOUBLE, bonus DOUBLE, r INTEGER);
CREATE OR REPLACE TEMP TABLE _demo_metric (u SMALLINT, e INTEGER, p SMALLINT, m TINYINT, value DOUBLE, r INTEGER);
`;
const STAGING = `${STAGING_FACTS}
CREATE OR REPLACE TEMP TABLE _demo_emp (i INTEGER, name VARCHAR, u SMALLINT, role TINYINT, level VARCHAR, hire INTEGER, leave INTEGER, mgr INTEGER, gender VARCHAR, birth INTEGER, salary DOUBLE);
`;

function sqlList(values: readonly string[]): string {
  // Only compile-time constants (codes, ids) reach here; quotes are still escaped.
  return values.map((v, i) => `(${i}, '${v.replaceAll("'", "''")}')`).join(', ');
}

async function createDictionaries(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_period (i SMALLINT, id VARCHAR); INSERT INTO _demo_d_period VALUES ${sqlList(demoPeriods().map((p) => p.id))};`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_kpi (i SMALLINT, code VARCHAR); INSERT INTO _demo_d_kpi VALUES ${sqlList(KPI_CODES)};`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_scheme (i SMALLINT, id VARCHAR); INSERT INTO _demo_d_scheme VALUES ${sqlList(SCHEME_IDS)};`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_unit (i SMALLINT, id VARCHAR); INSERT INTO _demo_d_unit VALUES ${sqlList(ORG_UNITS.map((u) => u.id))};`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_role (i TINYINT, code VARCHAR); INSERT INTO _demo_d_role VALUES ${sqlList(ROLES)};`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_rel (i TINYINT, code VARCHAR); INSERT INTO _demo_d_rel VALUES ${sqlList(RATER_RELATIONS)};`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_grade (i TINYINT, code VARCHAR); INSERT INTO _demo_d_grade VALUES ${sqlList(GRADES)};`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _demo_d_metric (i TINYINT, code VARCHAR); INSERT INTO _demo_d_metric VALUES ${sqlList(METRICS)};`);
}

const EMP_ID = (col: string) => `printf('E%06d', ${col} + 1)`;

/** KPI lines are stored by integer keys: demo index → key, once, so each flush joins integers. */
async function createKeyMaps(conn: DuckDBConnection, employees: number): Promise<void> {
  await syncKeysOn(conn);
  await registerKpiCodesOn(conn, 'SELECT code FROM _demo_d_kpi');
  await conn.run(`
CREATE OR REPLACE TEMP TABLE _demo_k_emp AS SELECT s.i::INTEGER AS i, k.key FROM range(${employees}) s(i) JOIN employee_keys k ON k.id = ${EMP_ID('s.i')};
CREATE OR REPLACE TEMP TABLE _demo_k_period AS SELECT d.i, k.key FROM _demo_d_period d JOIN period_keys k ON k.id = d.id;
CREATE OR REPLACE TEMP TABLE _demo_k_kpi AS SELECT d.i, k.key FROM _demo_d_kpi d JOIN kpi_codes k ON k.code = d.code;`);
}

/** Moves one month of staged rows into the canonical tables and empties the staging tables. */
async function flushStaging(conn: DuckDBConnection, batch: number): Promise<void> {
  await conn.run(`
INSERT INTO kpi_lines SELECT ke.key, kp.key, kk.key, s.target, s.actual, s.score, s.weight, ${batch}, s.r
  FROM _demo_kpi s JOIN _demo_k_emp ke ON ke.i = s.e JOIN _demo_k_period kp ON kp.i = s.p JOIN _demo_k_kpi kk ON kk.i = s.k;
INSERT INTO rater_scores SELECT ${EMP_ID('s.e')}, p.id,
  CASE WHEN s.rater >= 0 THEN ${EMP_ID('s.rater')} ELSE printf('CUST-%04d', -s.rater) END, rel.code, s.score, ${batch}, s.r
  FROM _demo_rater s JOIN _demo_d_period p ON p.i = s.p JOIN _demo_d_rel rel ON rel.i = s.rel;
INSERT INTO assessments (employee_id, period_id, org_unit_id, role, scheme_id, score, grade, coefficient, bonus, batch_id, source_row) SELECT ${EMP_ID('s.e')}, p.id, u.id, ro.code, sc.id, s.score, g.code, s.coef, CAST(s.bonus AS DECIMAL(14,2)), ${batch}, s.r
  FROM _demo_assess s JOIN _demo_d_period p ON p.i = s.p JOIN _demo_d_unit u ON u.i = s.u JOIN _demo_d_role ro ON ro.i = s.role
  JOIN _demo_d_scheme sc ON sc.i = s.s JOIN _demo_d_grade g ON g.i = s.g;
INSERT INTO metrics SELECT u.id, CASE WHEN s.e IS NULL THEN NULL ELSE ${EMP_ID('s.e')} END, p.id, mt.code, s.value, ${batch}, s.r
  FROM _demo_metric s JOIN _demo_d_period p ON p.i = s.p JOIN _demo_d_metric mt ON mt.i = s.m LEFT JOIN _demo_d_unit u ON u.i = s.u;
`);
  // Recreated rather than emptied: DELETE only marks rows, so the staging tables (and every
  // later scan of them) would grow month after month.
  await conn.run(STAGING_FACTS);
}

class DuckDbSink implements DemoSink {
  private kpiBuf!: ChunkBuffer;
  private raterBuf!: ChunkBuffer;
  private assessBuf!: ChunkBuffer;
  private metricBuf!: ChunkBuffer;
  private kpiRow = 0;
  private raterRow = 0;
  private assessRow = 0;
  private metricRow = 0;
  private flushedKpiRows = 0;
  private flushedAssessRows = 0;
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly batch: number,
  ) {}
  async open(): Promise<void> {
    this.kpiBuf = new ChunkBuffer(await this.conn.createAppender('_demo_kpi', null, 'temp'), [INTEGER, SMALLINT, SMALLINT, DOUBLE, DOUBLE, DOUBLE, DOUBLE, INTEGER]);
    this.raterBuf = new ChunkBuffer(await this.conn.createAppender('_demo_rater', null, 'temp'), [INTEGER, SMALLINT, INTEGER, TINYINT, DOUBLE, INTEGER]);
    this.assessBuf = new ChunkBuffer(await this.conn.createAppender('_demo_assess', null, 'temp'), [INTEGER, SMALLINT, SMALLINT, TINYINT, SMALLINT, DOUBLE, TINYINT, DOUBLE, DOUBLE, INTEGER]);
    this.metricBuf = new ChunkBuffer(await this.conn.createAppender('_demo_metric', null, 'temp'), [SMALLINT, INTEGER, SMALLINT, TINYINT, DOUBLE, INTEGER]);
  }
  kpi(emp: number, period: number, kpi: number, target: number | null, actual: number | null, score: number, weight: number): void {
    this.kpiBuf.push(emp, period, kpi, target, actual, score, weight, ++this.kpiRow);
  }
  rater(emp: number, period: number, rater: number, relation: number, score: number): void {
    this.raterBuf.push(emp, period, rater, relation, score, ++this.raterRow);
  }
  assessment(emp: number, period: number, unit: number, role: number, scheme: number, score: number, grade: number, coefficient: number, bonus: number | null): void {
    this.assessBuf.push(emp, period, unit, role, scheme, score, grade, coefficient, bonus, ++this.assessRow);
  }
  metric(unit: number | null, emp: number | null, period: number, metric: number, value: number): void {
    this.metricBuf.push(unit, emp, period, metric, value, ++this.metricRow);
  }
  /**
   * Staged rows move to the canonical tables once ~1M KPI lines are waiting (every month at the
   * benchmark size, once at the end for the default company): each move has a fixed cost, and
   * the threshold bounds memory.
   */
  async endMonth(month: number): Promise<void> {
    const pending = this.kpiRow - this.flushedKpiRows + (this.assessRow - this.flushedAssessRows) * 4;
    if (pending < STAGE_ROWS && month < MONTHS - 1) return;
    for (const b of [this.kpiBuf, this.raterBuf, this.assessBuf, this.metricBuf]) b.close();
    await flushStaging(this.conn, this.batch);
    this.flushedKpiRows = this.kpiRow;
    this.flushedAssessRows = this.assessRow;
    if (month < MONTHS - 1) await this.open();
  }
}

async function insertEmployees(conn: DuckDBConnection, company: DemoCompany, batch: number): Promise<void> {
  const app = await conn.createAppender('_demo_emp', null, 'temp');
  for (const e of company.employees) {
    app.appendInteger(e.idx);
    app.appendVarchar(e.name);
    app.appendSmallInt(e.unit);
    app.appendTinyInt(ROLES.indexOf(e.role));
    app.appendVarchar(e.level);
    app.appendInteger(e.hireDay);
    if (e.leaveDay === null) app.appendNull();
    else app.appendInteger(e.leaveDay);
    if (e.managerIdx === null) app.appendNull();
    else app.appendInteger(e.managerIdx);
    app.appendVarchar(e.gender);
    app.appendInteger(e.birthYear);
    app.appendDouble(e.monthlySalary);
    app.endRow();
  }
  app.flushSync();
  app.closeSync();
  await conn.run(`
INSERT INTO employees SELECT ${EMP_ID('s.i')}, s.name, u.id, ro.code, s.level, DATE '1970-01-01' + s.hire,
  CASE WHEN s.leave IS NULL THEN NULL ELSE DATE '1970-01-01' + s.leave END,
  CASE WHEN s.mgr IS NULL THEN NULL ELSE ${EMP_ID('s.mgr')} END, s.gender, s.birth, CAST(s.salary AS DECIMAL(12,2)), ${batch}, s.i + 1
  FROM _demo_emp s JOIN _demo_d_unit u ON u.i = s.u JOIN _demo_d_role ro ON ro.i = s.role ORDER BY s.i;
DROP TABLE _demo_emp;`);
}

export const DEMO_POLICIES = [
  {
    id: 'POL-2024-MD-V2',
    name: '跟单员考核方案 v2 试点（跟单一部）/ Merchandiser scheme v2 pilot (跟单一部)',
    description:
      '2024-07-01 起跟单一部改用 merchandiser-v2（准确率权重 40、档位更陡、投诉否决），跟单二部仍用 v1 作为对照。/ From 2024-07-01 跟单一部 moves to merchandiser-v2; 跟单二部 stays on v1 as the control group.',
    effectiveFrom: '2024-07-01',
    scopeOrgUnits: ['OU-MD1'],
    scopeRoles: ['merchandiser'],
    schemeBefore: 'merchandiser-v1',
    schemeAfter: 'merchandiser-v2',
  },
  {
    id: 'POL-2025-FORCED',
    name: '全公司强制分布 / Company-wide forced distribution',
    description:
      '2025-01-01 起各部门按 优10% 良20% 中50% 基本合格15% 不合格5% 强制分布评定等级（投诉否决仍然适用）。/ From 2025-01-01 every unit grades by the 10/20/50/15/5 guideline (the complaint veto still applies).',
    effectiveFrom: '2025-01-01',
    scopeOrgUnits: ['OU-ROOT'],
    scopeRoles: [] as string[],
    schemeBefore: null,
    schemeAfter: null,
  },
] as const;

async function insertReferenceRows(conn: DuckDBConnection, company: DemoCompany, batch: number): Promise<void> {
  let row = 0;
  for (const u of company.units)
    await conn.run('INSERT INTO org_units VALUES ($id, $name, $parent, $kind, $batch, $row)', { id: u.id, name: u.name, parent: u.parentId, kind: u.kind, batch, row: ++row });
  row = 0;
  for (const p of demoPeriods())
    await conn.run('INSERT INTO periods VALUES ($id, $kind, CAST($start AS DATE), CAST($end AS DATE), $batch, $row)', { id: p.id, kind: p.kind, start: p.start, end: p.end, batch, row: ++row });
  for (const s of BUILTIN_SCHEMES)
    await conn.run('INSERT OR IGNORE INTO schemes VALUES ($id, $role, $version, $zh, $en, CAST($def AS JSON))', {
      id: s.id,
      role: s.role,
      version: s.version,
      zh: s.name.zh,
      en: s.name.en,
      def: JSON.stringify(s),
    });
  row = 0;
  for (const p of DEMO_POLICIES) {
    // Lists are compile-time constants above; bound parameters cannot carry VARCHAR[] here.
    const list = (xs: readonly string[]) => (xs.length ? `[${xs.map((x) => `'${x}'`).join(', ')}]::VARCHAR[]` : 'NULL');
    await conn.run(
      `INSERT INTO policies VALUES ($id, $name, $description, CAST($from AS DATE), ${list(p.scopeOrgUnits)}, ${list(p.scopeRoles)}, $before, $after, $batch, $row)`,
      { id: p.id, name: p.name, description: p.description, from: p.effectiveFrom, before: p.schemeBefore, after: p.schemeAfter, batch, row: ++row },
    );
  }
}

const DEMO_TABLES = ['org_units', 'employees', 'periods', 'kpi_lines', 'rater_scores', 'assessments', 'metrics', 'policies'] as const;

/**
 * Loads the deterministic demo company into an empty database. Month by month: generate and
 * score in TS, append numeric rows through DuckDB data chunks into temp staging tables, then
 * one INSERT … SELECT per table maps indexes to ids. Memory stays bounded by one month of one
 * company. On failure every row of the batch is removed again.
 */
export async function loadDemo(wh: Warehouse, options: DemoOptions = {}): Promise<DemoSummary> {
  const opts = demoOptionsSchema.parse(options);
  const t0 = performance.now();
  const progress = opts.progress ?? opts.employees >= 20000;
  const log = (msg: string) => progress && process.stderr.write(`[demo] ${msg} (${((performance.now() - t0) / 1000).toFixed(1)}s)\n`);
  return wh.withConnection(async (conn) => {
    const existing = await conn.runAndReadAll('SELECT (SELECT count(*) FROM employees)::INTEGER + (SELECT count(*) FROM org_units)::INTEGER AS n');
    if (Number(existing.getRowObjectsJson()[0]!.n) > 0)
      throw new Error('数据库中已有组织或员工数据，示范公司只能载入空数据库。/ The database already holds org units or employees; the demo company loads into an empty database only.');
    const batchRow = await conn.runAndReadAll(
      `INSERT INTO import_batches (id, table_name, file_name, format, row_count, source, started_at, finished_at)
       VALUES (nextval('import_batch_seq'), 'all', $file, 'generated', 0, 'demo', current_timestamp, current_timestamp) RETURNING id`,
      { file: `demo:seed=${opts.seed}` },
    );
    const batch = Number(batchRow.getRowObjectsJson()[0]!.id);
    try {
      const company = buildCompany(opts.employees, opts.seed);
      log(`company built: ${company.employees.length} employees`);
      await conn.run(STAGING);
      await createDictionaries(conn);
      await insertReferenceRows(conn, company, batch);
      await insertEmployees(conn, company, batch);
      await createKeyMaps(conn, company.employees.length);
      const sink = new DuckDbSink(conn, batch);
      await sink.open();
      const counts = await simulate(company, sink, {
        seed: opts.seed,
        kpiLines: opts.kpiLines,
        onProgress: (m) => (m % 6 === 5 || m === 0) && log(`month ${m + 1}/36`),
      });
      const total = company.units.length + company.employees.length + demoPeriods().length + counts.kpiLines + counts.raterScores + counts.assessments + counts.metrics + DEMO_POLICIES.length;
      await conn.run('UPDATE import_batches SET row_count = $n, inserted = $n, finished_at = current_timestamp WHERE id = $id', { n: total, id: batch });
      await conn.run('DROP TABLE IF EXISTS _demo_kpi; DROP TABLE IF EXISTS _demo_rater; DROP TABLE IF EXISTS _demo_assess; DROP TABLE IF EXISTS _demo_metric;');
      // Derived analytics tables are built now rather than on the first dashboard request.
      await refreshAnalyticsOn(conn);
      log('analytics tables built');
      await conn.run('CHECKPOINT');
      log('done');
      return {
        employees: company.employees.length,
        orgUnits: company.units.length,
        periods: demoPeriods().length,
        assessments: counts.assessments,
        kpiLines: counts.kpiLines,
        raterScores: counts.raterScores,
        metrics: counts.metrics,
        batchId: batch,
        seed: opts.seed,
        ms: Math.round(performance.now() - t0),
      };
    } catch (err) {
      for (const t of DEMO_TABLES) await conn.run(`DELETE FROM ${t} WHERE batch_id = ${batch}`).catch(() => undefined);
      await conn.run(`DELETE FROM import_batches WHERE id = ${batch}`).catch(() => undefined);
      throw err;
    }
  });
}
