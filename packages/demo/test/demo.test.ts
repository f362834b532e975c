import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  builtinScheme,
  DEFAULT_GUIDELINE,
  evaluateKpi,
  gradeScore,
  type Grade,
  GRADES,
  isWorseGrade,
  largestRemainder,
  raterComposite,
  ROLES,
  roundHalfUp,
  roundMoney,
} from '@perflens/core';
import { Warehouse } from '@perflens/warehouse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAT_SHEET, forcedGrades, loadDemo, writeDemoFiles, type DemoSummary } from '../src/index.ts';

let wh: Warehouse;
let summary: DemoSummary;

beforeAll(async () => {
  wh = await Warehouse.open({ path: ':memory:' });
  summary = await loadDemo(wh, { employees: 1200, seed: 42 });
}, 60_000);
afterAll(() => wh?.close());

const one = async <T = Record<string, unknown>>(sql: string) => (await wh.query<T>(sql))[0]!;

async function checksums(w: Warehouse): Promise<string[]> {
  const tables = {
    employees: 'id, name, org_unit_id, role, level, hire_date, leave_date, manager_id, monthly_salary',
    kpi_results: 'employee_id, period_id, kpi_code, target, actual, score, weight, source_row',
    rater_scores: 'employee_id, period_id, rater_id, relation, score, source_row',
    assessments: 'employee_id, period_id, org_unit_id, scheme_id, score, grade, coefficient, bonus, source_row',
    metrics: 'org_unit_id, employee_id, period_id, metric, value, source_row',
  };
  const out: string[] = [];
  for (const [t, cols] of Object.entries(tables)) {
    const [r] = await w.query<{ c: string; n: number }>(`SELECT sum(hash(${cols}))::VARCHAR AS c, count(*)::INTEGER AS n FROM ${t}`);
    out.push(`${t}:${r!.n}:${r!.c}`);
  }
  return out;
}

describe('determinism', () => {
  it('the same seed gives identical rows, another seed does not', async () => {
    const load = async (seed: number) => {
      const w = await Warehouse.open({ path: ':memory:' });
      try {
        await loadDemo(w, { employees: 300, seed });
        return await checksums(w);
      } finally {
        w.close();
      }
    };
    const a = await load(7);
    const b = await load(7);
    const c = await load(8);
    expect(a).toEqual(b);
    expect(a.filter((x, i) => x === c[i])).toEqual([]);
  }, 60_000);
});

describe('shape of the company', () => {
  it('has the org tree, every role, 51 periods and a realistic turnover', async () => {
    expect(summary.orgUnits).toBe(15);
    const root = await one<{ n: number }>("SELECT count(*)::INTEGER n FROM org_units WHERE parent_id IS NULL AND id = 'OU-ROOT' AND name = '绩效透镜示范公司'");
    expect(root.n).toBe(1);
    const orphans = await one<{ n: number }>('SELECT count(*)::INTEGER n FROM org_units c LEFT JOIN org_units p ON p.id = c.parent_id WHERE c.parent_id IS NOT NULL AND p.id IS NULL');
    expect(orphans.n).toBe(0);
    const roles = (await wh.query<{ role: string }>('SELECT DISTINCT role FROM assessments ORDER BY 1')).map((r) => r.role);
    expect(roles).toEqual([...ROLES].sort());
    const kinds = await wh.query<{ kind: string; n: number }>('SELECT kind, count(*)::INTEGER n FROM periods GROUP BY 1 ORDER BY 1');
    expect(kinds).toEqual([
      { kind: 'month', n: 36 },
      { kind: 'quarter', n: 12 },
      { kind: 'year', n: 3 },
    ]);
    // Hires and departures every year.
    const flows = await wh.query<{ y: number; hires: number; leaves: number }>(
      `SELECT y, (SELECT count(*) FROM employees WHERE year(hire_date) = y)::INTEGER hires,
              (SELECT count(*) FROM employees WHERE year(leave_date) = y)::INTEGER leaves
         FROM range(2023, 2026) t(y) ORDER BY y`,
    );
    for (const f of flows) {
      expect(f.hires).toBeGreaterThan(30);
      expect(f.leaves).toBeGreaterThan(60); // ≈ 10–15% of ~1,000 staff a year
      expect(f.leaves).toBeLessThan(250);
    }
    const mgr = await one<{ n: number }>('SELECT count(*)::INTEGER n FROM employees e LEFT JOIN employees m ON m.id = e.manager_id WHERE e.manager_id IS NOT NULL AND m.id IS NULL');
    expect(mgr.n).toBe(0);
  });

  it('puts every row in one demo batch with its source row', async () => {
    const b = await one<{ id: number; source: string; file_name: string; row_count: number }>('SELECT id, source, file_name, row_count FROM import_batches');
    expect(b).toMatchObject({ id: summary.batchId, source: 'demo', file_name: 'demo:seed=42' });
    for (const t of ['org_units', 'employees', 'periods', 'kpi_results', 'rater_scores', 'assessments', 'metrics', 'policies']) {
      const r = await one<{ bad: number; dup: number }>(
        `SELECT count(*) FILTER (WHERE batch_id IS DISTINCT FROM ${summary.batchId} OR source_row IS NULL)::INTEGER bad,
                (count(*) - count(DISTINCT source_row))::INTEGER dup FROM ${t}`,
      );
      expect(r, t).toEqual({ bad: 0, dup: 0 });
    }
    expect(await one('SELECT count(*)::INTEGER n FROM schemes')).toEqual({ n: 8 });
  });

  it('has one assessment per employee and period', async () => {
    const r = await one<{ n: number }>('SELECT count(*)::INTEGER n FROM (SELECT employee_id, period_id FROM assessments GROUP BY ALL HAVING count(*) > 1)');
    expect(r.n).toBe(0);
    expect(summary.assessments).toBe(Number((await one<{ n: number }>('SELECT count(*)::INTEGER n FROM assessments')).n));
  });

  it('refuses to load into a database that already has a company', async () => {
    await expect(loadDemo(wh, { employees: 100 })).rejects.toThrow(/空数据库.*empty database/);
  });
});

describe('scores agree with the scheme evaluator', () => {
  it('re-scores sampled months line by line, composite, score, grade and bonus', async () => {
    const sample = await wh.query<{ employee_id: string; period_id: string; scheme_id: string; score: number; grade: Grade; coefficient: number; bonus: number | null; salary: number }>(
      `SELECT a.employee_id, a.period_id, a.scheme_id, a.score, a.grade, a.coefficient, CAST(a.bonus AS DOUBLE) bonus, CAST(e.monthly_salary AS DOUBLE) salary
         FROM assessments a JOIN employees e ON e.id = a.employee_id
        WHERE a.period_id LIKE '____-__' AND a.period_id NOT LIKE '%Q%' AND a.period_id < '2025-01' ORDER BY hash(a.employee_id, a.period_id) LIMIT 120`,
    );
    expect(sample.length).toBe(120);
    let vetoes = 0;
    for (const a of sample) {
      const scheme = builtinScheme(a.scheme_id);
      const lines = await wh.query<{ kpi_code: string; target: number | null; actual: number; score: number; weight: number }>(
        `SELECT kpi_code, target, actual, score, weight FROM kpi_results WHERE employee_id = '${a.employee_id}' AND period_id = '${a.period_id}'`,
      );
      expect(lines.map((l) => l.kpi_code).sort()).toEqual(scheme.kpis.map((k) => k.code).sort());
      // Summed in the scheme's order, as the generator did: another order can move the last bit and a half-cent rounding.
      const order = (code: string) => scheme.kpis.findIndex((k) => k.code === code);
      lines.sort((x, y) => order(x.kpi_code) - order(y.kpi_code));
      let total = 0;
      for (const l of lines) {
        const kpi = scheme.kpis.find((k) => k.code === l.kpi_code)!;
        expect(l.weight).toBe(kpi.weight);
        const again = evaluateKpi(kpi, { actual: l.actual, target: l.target }, { explain: false });
        expect(l.score).toBeCloseTo(again.points, 3);
        total += again.weighted;
        if (kpi.rule.type === 'rater') {
          const raters = await wh.query<{ relation: string; score: number }>(
            `SELECT relation, score FROM rater_scores WHERE employee_id = '${a.employee_id}' AND period_id = '${a.period_id}'`,
          );
          const c = raterComposite(scheme.raters!.weights, Object.fromEntries(raters.map((r) => [r.relation, r.score])));
          expect(l.actual).toBeCloseTo(c.value!, 9);
        }
      }
      expect(a.score).toBe(roundHalfUp(total, 2));
      const band = gradeScore(scheme.gradeBands, a.score);
      if (a.grade !== band.grade) {
        // Only the complaint veto may differ from the bands before 2025, and only downwards to C.
        expect(scheme.vetoes.length).toBeGreaterThan(0);
        expect(a.grade).toBe('C');
        expect(isWorseGrade(a.grade, band.grade)).toBe(true);
        vetoes++;
      }
      expect(a.coefficient).toBe(scheme.gradeBands.find((b) => b.grade === a.grade)!.coefficient);
      if (scheme.bonus[0]?.type === 'score_share' && scheme.bonus[0].base.kind === 'salary') expect(a.bonus).toBe(roundMoney((a.salary * a.score) / 100));
    }
    expect(vetoes).toBeLessThan(10);
  });

  it('quarter and year roll-ups are the mean of the months, re-graded', async () => {
    const rows = await wh.query<{ employee_id: string; score: number; mean: number; grade: Grade; scheme_id: string }>(
      `SELECT q.employee_id, q.score, round(avg(m.score), 2) mean, q.grade, q.scheme_id FROM assessments q
         JOIN assessments m ON m.employee_id = q.employee_id AND m.period_id IN ('2024-04', '2024-05', '2024-06')
        WHERE q.period_id = '2024-Q2' GROUP BY ALL LIMIT 200`,
    );
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) {
      expect(r.score).toBeCloseTo(r.mean, 2);
      const band = gradeScore(builtinScheme(r.scheme_id).gradeBands, r.score).grade;
      expect(r.grade === band || r.grade === 'C').toBe(true);
    }
  });

  it('uses merchandiser-v2 only in 跟单一部 from 2024-07', async () => {
    const rows = await wh.query<{ org_unit_id: string; post: boolean; scheme_id: string }>(
      `SELECT DISTINCT org_unit_id, period_id >= '2024-07' AS post, scheme_id FROM assessments
        WHERE role = 'merchandiser' AND period_id LIKE '____-__' AND period_id NOT LIKE '%Q%' ORDER BY ALL`,
    );
    expect(rows).toEqual([
      { org_unit_id: 'OU-MD1', post: false, scheme_id: 'merchandiser-v1' },
      { org_unit_id: 'OU-MD1', post: true, scheme_id: 'merchandiser-v2' },
      { org_unit_id: 'OU-MD2', post: false, scheme_id: 'merchandiser-v1' },
      { org_unit_id: 'OU-MD2', post: true, scheme_id: 'merchandiser-v1' },
    ]);
  });
});

describe('policies have the built-in effects', () => {
  const did = async (metric: string) =>
    one<{ did: number; pre_gap_change: number }>(
      `WITH m AS (
         SELECT org_unit_id = 'OU-MD1' AS treated, period_id >= '2024-07' AS post, period_id < '2024-01' AS early, value
           FROM metrics WHERE metric = '${metric}' AND org_unit_id IN ('OU-MD1', 'OU-MD2') AND employee_id IS NULL)
       SELECT (avg(value) FILTER (WHERE treated AND post) - avg(value) FILTER (WHERE treated AND NOT post))
            - (avg(value) FILTER (WHERE NOT treated AND post) - avg(value) FILTER (WHERE NOT treated AND NOT post)) AS did,
              (avg(value) FILTER (WHERE treated AND NOT post AND NOT early) - avg(value) FILTER (WHERE treated AND early))
            - (avg(value) FILTER (WHERE NOT treated AND NOT post AND NOT early) - avg(value) FILTER (WHERE NOT treated AND early)) AS pre_gap_change
         FROM m`,
    );

  it('order accuracy rises ≈ 4 points in 跟单一部 against 跟单二部, with parallel pre-trends', async () => {
    const r = await did('order_accuracy');
    expect(r.did).toBeGreaterThan(2.5);
    expect(r.did).toBeLessThan(5.5);
    expect(Math.abs(r.pre_gap_change)).toBeLessThan(1);
  });

  it('satisfaction rises ≈ 0.3 in 跟单一部', async () => {
    const r = await did('satisfaction');
    expect(r.did).toBeGreaterThan(0.1);
    expect(r.did).toBeLessThan(0.5);
    expect(Math.abs(r.pre_gap_change)).toBeLessThan(0.2);
  });

  it('forced distribution from 2025 follows the guideline within each unit (the veto may only push A/B down)', async () => {
    const cells = await wh.query<{ org_unit_id: string; period_id: string; grade: Grade; n: number; total: number }>(
      `SELECT *, (sum(n) OVER (PARTITION BY org_unit_id, period_id))::INTEGER total FROM (
         SELECT org_unit_id, period_id, grade, count(*)::INTEGER n FROM assessments WHERE period_id IN ('2025-03', '2025-11') GROUP BY ALL)`,
    );
    const byCell = new Map<string, Map<Grade, number>>();
    const totals = new Map<string, number>();
    for (const c of cells) {
      const k = `${c.org_unit_id}/${c.period_id}`;
      if (!byCell.has(k)) byCell.set(k, new Map());
      byCell.get(k)!.set(c.grade, c.n);
      totals.set(k, c.total);
    }
    for (const [k, counts] of byCell) {
      const seats = largestRemainder(totals.get(k)!, GRADES.map((g) => DEFAULT_GUIDELINE[g]));
      expect(counts.get('A') ?? 0, k).toBeLessThanOrEqual(seats[0]!);
      expect(counts.get('D') ?? 0, k).toBe(seats[3]);
      expect(counts.get('E') ?? 0, k).toBe(seats[4]);
    }
    const share = async (cond: string) => (await one<{ a: number }>(`SELECT avg((grade = 'A')::INT)::DOUBLE a FROM assessments WHERE period_id LIKE '____-__' AND period_id NOT LIKE '%Q%' AND ${cond}`)).a;
    expect(await share("period_id < '2025'")).toBeGreaterThan(0.15);
    expect(await share("period_id >= '2025'")).toBeLessThan(0.11);
  });

  it('forcedGrades hands out 10/20/50/15/5 by rank, ties to the lower key', () => {
    const scores = Array.from({ length: 20 }, (_, i) => ({ key: i, score: 100 - i }));
    const g = forcedGrades(scores);
    expect([...g.entries()].sort((a, b) => a[0] - b[0]).map(([, x]) => x).join('')).toBe('AABBBBCCCCCCCCCCDDDE');
    const tie = forcedGrades([
      { key: 5, score: 80 },
      { key: 2, score: 80 },
    ]);
    expect(tie.get(2)! <= tie.get(5)!).toBe(true);
  });

  it('records both policies', async () => {
    const p = await wh.query<{ id: string; effective_from: string; scope: string; before: string | null; after: string | null }>(
      "SELECT id, strftime(effective_from, '%Y-%m-%d') effective_from, array_to_string(scope_org_unit_ids, ',') AS scope, scheme_before AS before, scheme_after AS after FROM policies ORDER BY 2",
    );
    expect(p).toEqual([
      { id: 'POL-2024-MD-V2', effective_from: '2024-07-01', scope: 'OU-MD1', before: 'merchandiser-v1', after: 'merchandiser-v2' },
      { id: 'POL-2025-FORCED', effective_from: '2025-01-01', scope: 'OU-ROOT', before: null, after: null },
    ]);
  });
});

describe('writeDemoFiles', () => {
  it('writes readable import files with canonical headers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perflens-demo-'));
    const files = await writeDemoFiles(dir, { employees: 200, seed: 3 });
    expect(files.map((f) => f.file).sort()).toEqual(
      ['assessments.csv', 'employees.xlsx', FLAT_SHEET, 'kpi_results.parquet', 'metrics.csv', 'org_units.csv', 'periods.csv', 'policies.csv', 'rater_scores.csv'].sort(),
    );
    const w = await Warehouse.open({ path: ':memory:' });
    try {
      const orgBytes = readFileSync(join(dir, 'org_units.csv'));
      expect([...orgBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const org = await w.query<{ id: string; name: string }>(`SELECT * FROM read_csv('${join(dir, 'org_units.csv')}', header = true)`);
      expect(org.length).toBe(15);
      expect(Object.keys(org[0]!)).toEqual(['id', 'name', 'parent_id', 'kind']);
      expect(org.find((o) => o.id === 'OU-MD1')?.name).toBe('跟单一部');

      const [pq] = await w.query<{ n: number }>(`SELECT count(*)::INTEGER n FROM read_parquet('${join(dir, 'kpi_results.parquet')}')`);
      expect(pq!.n).toBe(files.find((f) => f.file === 'kpi_results.parquet')!.rows);
      const cols = (await w.query<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet('${join(dir, 'kpi_results.parquet')}')`)).map((c) => c.column_name);
      expect(cols).toEqual(['employee_id', 'period_id', 'kpi_code', 'target', 'actual', 'score', 'weight']);

      const assess = (await w.query<{ column_name: string }>(`DESCRIBE SELECT * FROM read_csv('${join(dir, 'assessments.csv')}', header = true)`)).map((c) => c.column_name);
      expect(assess).toEqual(['employee_id', 'period_id', 'org_unit_id', 'role', 'scheme_id', 'score', 'grade', 'coefficient', 'bonus']);
      const pol = await w.query<{ scope_roles: string | null }>(`SELECT * FROM read_csv('${join(dir, 'policies.csv')}', header = true, all_varchar = true) ORDER BY id`);
      expect(pol.length).toBe(2);

      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(join(dir, 'employees.xlsx'));
      const sheet = wb.worksheets[0]!;
      expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['id', 'name', 'org_unit_id', 'role', 'level', 'hire_date', 'leave_date', 'manager_id', 'gender', 'birth_year', 'monthly_salary']);
      expect(sheet.actualRowCount).toBe(files.find((f) => f.file === 'employees.xlsx')!.rows + 1);

      const flatBytes = readFileSync(join(dir, FLAT_SHEET));
      const text = iconv.decode(flatBytes, 'gb18030');
      expect(text.split('\n')[0]!.trim()).toBe('员工编号,姓名,部门,岗位,考核期间,绩效得分,绩效等级');
      expect(text).toContain('跟单员');
      expect(flatBytes.toString('utf8')).not.toContain('员工编号'); // really GB18030, not UTF-8
      expect(text.trim().split('\n').length - 1).toBe(files.find((f) => f.file === FLAT_SHEET)!.rows);
    } finally {
      w.close();
    }
  }, 60_000);
});
