import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { z } from 'zod';
import { constantsSchema, type ConfirmCreate, type CreationPlan, GRADE_LABELS, importTargetSchema, mappingSchema, onDuplicateSchema, parseDateFormatOption, parseGradeMap, type ImportError, type ScaleEntry } from '@perflens/core';
import { CreationNotConfirmedError } from '@perflens/warehouse/import/creation';
import { errorsToCsv, getMapping, importFile, previewImport, saveMapping, type ImportPreview, type ImportResult, type SavedMapping } from '@perflens/warehouse';
import { loadConfig } from '../config.ts';
import { openWarehouse } from './serve.ts';
import { readServerInfo } from '../server-info.ts';
import { OPERATOR_HEADER } from '../local-operator.ts';

type Lang = 'zh' | 'en';
const langOf = (env: NodeJS.ProcessEnv): Lang => ((env.LC_ALL || env.LANG || '').toLowerCase().startsWith('en') ? 'en' : 'zh');

const optsSchema = z.object({
  table: importTargetSchema,
  map: z.array(z.string()).default([]),
  set: z.array(z.string()).default([]),
  onDuplicate: onDuplicateSchema.default('reject'),
  mapping: z.string().min(1).optional(),
  saveMapping: z.string().min(1).optional(),
  sheet: z.string().min(1).optional(),
  errorsCsv: z.string().min(1).optional(),
  gradeMap: z.string().min(1).optional(),
  gradeScale: z.string().min(1).optional(),
  dateFormat: z.string().min(1).optional(),
  createMissing: z.boolean().optional(),
  createNew: z.boolean().optional(),
});

interface RunInput {
  table: string;
  mapping: Record<string, string>;
  constants: Record<string, string>;
  onDuplicate: string;
  sheet?: string;
  saveMappingAs?: string;
  gradeMap?: ScaleEntry[];
  gradeScale?: string;
  dateFormat?: 'YMD' | 'MDY' | 'DMY';
  createMissing?: boolean;
  confirmCreate?: ConfirmCreate;
}

/** "field=value" pairs; the value may itself contain '='. */
function pairs(list: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`${what} expects field=value, got "${item}". / ${what} 的格式应为 字段=值，收到「${item}」。`);
    out[item.slice(0, i).trim()] = item.slice(i + 1);
  }
  return out;
}

/** Where the import runs: in this process, or in the server that holds the database. */
interface Backend {
  preview(table: string, sheet: string | undefined, mapping: Record<string, string>, constants: Record<string, string>): Promise<ImportPreview>;
  savedMapping(name: string): Promise<SavedMapping | null>;
  run(input: RunInput): Promise<ImportResult & { reportId?: string }>;
  close(): void;
}

async function trpc<T>(base: string, token: string, proc: string, input: unknown, mutation: boolean): Promise<T> {
  const auth = { [OPERATOR_HEADER]: token };
  const res = mutation
    ? await fetch(`${base}/trpc/${proc}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(input) })
    : await fetch(`${base}/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: auth });
  const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!res.ok || !body.result) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.result.data;
}

async function remoteBackend(base: string, token: string, file: string): Promise<Backend> {
  const size = statSync(file).size;
  const up = await fetch(`${base}/api/upload?name=${encodeURIComponent(basename(file))}`, {
    method: 'POST',
    // x-perflens-upload: the server refuses uploads without it (a cross-site page cannot send it).
    headers: { 'content-length': String(size), 'content-type': 'application/octet-stream', 'x-perflens-upload': '1', [OPERATOR_HEADER]: token },
    body: Readable.toWeb(createReadStream(file)) as unknown as RequestInit['body'],
    duplex: 'half',
  } as RequestInit);
  const uploaded = (await up.json()) as { uploadId?: string; error?: string };
  if (!up.ok || !uploaded.uploadId) throw new Error(uploaded.error ?? `upload failed: HTTP ${up.status}`);
  const uploadId = uploaded.uploadId;
  return {
    preview: (table, sheet, mapping, constants) => trpc(base, token, 'import.preview', { uploadId, table, sheet, mapping, constants }, false),
    savedMapping: async (name) => (await trpc<SavedMapping[]>(base, token, 'import.mappings', undefined, false)).find((m) => m.name === name) ?? null,
    // A refusal to create unconfirmed org units or employees is the server's 400, whose message
    // lists them and names --create-new; it ends the command as any server error does.
    run: (input) => trpc(base, token, 'import.run', { uploadId, ...input }, true),
    close: () => undefined,
  };
}

async function localBackend(file: string): Promise<Backend> {
  const wh = await openWarehouse(loadConfig());
  return {
    preview: (table, sheet, mapping, constants) => previewImport(wh, file, { table: importTargetSchema.parse(table), sheet, mapping, constants }),
    savedMapping: (name) => getMapping(wh, name),
    run: async (input) => {
      const dateFormat = input.dateFormat === undefined ? undefined : parseDateFormatOption(input.dateFormat) ?? undefined;
      const r = await importFile(wh, file, { ...input, dateFormat, table: importTargetSchema.parse(input.table), onDuplicate: onDuplicateSchema.parse(input.onDuplicate), source: 'cli' });
      if (r.ok && input.saveMappingAs) await saveMapping(wh, { name: input.saveMappingAs, table: importTargetSchema.parse(input.table), mapping: input.mapping, constants: input.constants, gradeMap: input.gradeMap });
      return r;
    },
    close: () => wh.close(),
  };
}

/**
 * The org units and employees the import would create, as the preview found them: each new unit
 * with its row count and, when its name is close to one already stored (跟单一布 beside 跟单一部),
 * that name, so a typo is seen before it becomes a department.
 */
function planText(plan: CreationPlan, lang: Lang): string {
  const lines: string[] = [];
  if (plan.orgUnits.length) {
    lines.push(lang === 'zh' ? `将新建 ${plan.orgUnits.length} 个部门：` : `Would create ${plan.orgUnits.length} department(s):`);
    for (const u of plan.orgUnits.slice(0, 100)) {
      const near = u.similar
        ? lang === 'zh'
          ? ` ⚠ 与${u.similar.existing ? '现有部门' : '文件中的'}“${u.similar.name}”相近，是否写错？`
          : ` ⚠ close to ${u.similar.existing ? 'the existing' : "the file's"} "${u.similar.name}": a typo?`
        : '';
      lines.push(`  ${u.name}${lang === 'zh' ? `（${u.rows} 行）` : ` (${u.rows} rows)`}${near}`);
    }
    if (plan.orgUnits.length > 100) lines.push(lang === 'zh' ? `  …… 另有 ${plan.orgUnits.length - 100} 个` : `  … ${plan.orgUnits.length - 100} more`);
  }
  if (plan.employeeCount) {
    const shown = plan.employees.slice(0, 10).map((e) => (e.name && e.name !== e.id ? `${e.id} ${e.name}` : e.id));
    const more = plan.employeeCount > shown.length ? (lang === 'zh' ? ' 等' : ', …') : '';
    lines.push(lang === 'zh' ? `将新建 ${plan.employeeCount} 名员工：${shown.join('、')}${more}` : `Would create ${plan.employeeCount} employee(s): ${shown.join(', ')}${more}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function errorTable(errors: ImportError[], lang: Lang, limit = 50): string {
  const head = lang === 'zh' ? ['行', '列', '说明'] : ['Row', 'Column', 'Message'];
  const rows = errors.slice(0, limit).map((e) => [e.row === null ? '-' : String(e.row), e.column ?? '-', e.message[lang]]);
  const width = (i: number) => Math.max(...[head, ...rows].map((r) => [...r[i]!].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - [...s].reduce((a, ch) => a + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
  const w0 = width(0), w1 = width(1);
  const lines = [head, ...rows].map((r) => `  ${pad(r[0]!, w0)}  ${pad(r[1]!, w1)}  ${r[2]}`);
  if (errors.length > limit) lines.push(lang === 'zh' ? `  …… 另有 ${errors.length - limit} 条` : `  … ${errors.length - limit} more`);
  return lines.join('\n');
}

export function registerImport(program: Command): void {
  const collect = (v: string, prev: string[]) => [...prev, v];
  program
    .command('import')
    .description('import a CSV / XLSX / Parquet file into a table (validated; all rows or none)')
    .argument('<file>', 'file to import')
    .requiredOption('--table <name>', 'target: org_units, employees, periods, kpi_results, rater_scores, assessments, metrics, policies, flat')
    .option('--map <field=Header>', 'map a field to a column header (repeatable)', collect, [])
    .option('--set <field=value>', 'constant value for a field, e.g. period_id=2024-03 (repeatable)', collect, [])
    .option('--on-duplicate <policy>', 'reject | replace rows whose key already exists', 'reject')
    .option('--mapping <name>', 'start from a saved mapping')
    .option('--save-mapping <name>', 'save the mapping used under this name after a successful import')
    .option('--sheet <name>', 'XLSX worksheet (default: the first)')
    .option('--errors-csv <file>', 'write all listed errors to this CSV (UTF-8 with BOM, opens in Excel)')
    .option('--grade-map <VALUE=GRADE,…>', 'rating scale: the file\'s grade values onto A–E, e.g. "4=A,3=B,2=C,1=E" or "Fully Meets=C,…" (default: proposed from the values)')
    .option('--grade-scale <name>', 'rating scale by name: a preset (num_4_high, num_5_high, en_words, zh_6, letters_sd …) or a saved one')
    .option('--date-format <order>', 'order of slash dates: MDY (01/17/19) or DMY (17/01/2019); YMD for 2019/1/17 (default: read from the column)')
    .option('--create-missing', 'metrics: create the org units the file names that do not exist yet')
    .option('--create-new', 'confirm creating the org units and employees the file names that do not exist yet (listed before the import; without this flag an import that would create any is refused)')
    .action(async (fileArg: string, raw: Record<string, unknown>) => {
      const lang = langOf(process.env);
      const o = optsSchema.parse(raw);
      const file = resolve(fileArg);
      const stat = statSync(file, { throwIfNoEntry: false });
      if (!stat) throw new Error(`找不到文件 ${file} / File not found: ${file}`);
      if (!stat.isFile()) throw new Error(`${file} 不是文件（是文件夹？） / ${file} is not a file (a folder?)`);
      const cfg = loadConfig();
      const server = readServerInfo(cfg.PERFLENS_DB);
      const backend = server ? await remoteBackend(server.url, server.token ?? '', file) : await localBackend(file);
      try {
        if (server) process.stdout.write(lang === 'zh' ? `通过正在运行的服务器导入：${server.url}\n` : `Importing through the running server at ${server.url}\n`);
        const saved = o.mapping ? await backend.savedMapping(o.mapping) : null;
        if (o.mapping && !saved) throw new Error(`No saved mapping named "${o.mapping}". / 没有名为「${o.mapping}」的已保存映射。`);
        // What the user said wins over any suggestion: a field given as a constant (--set
        // period=2024) or mapped by hand is never suggested a column as well.
        const explicit = mappingSchema.parse({ ...(saved?.mapping ?? {}), ...pairs(o.map, '--map') });
        const constants = constantsSchema.parse({ ...(saved?.constants ?? {}), ...pairs(o.set, '--set') });
        for (const field of Object.keys(constants)) delete explicit[field];
        const preview = await backend.preview(o.table, o.sheet, explicit, constants);
        const mapping = mappingSchema.parse(Object.fromEntries(Object.entries({ ...preview.mapping, ...explicit }).filter(([field]) => constants[field] === undefined)));
        const dateFormat = o.dateFormat === undefined ? undefined : parseDateFormatOption(o.dateFormat);
        if (dateFormat === null) throw new Error(`--date-format: "${o.dateFormat}" is not MDY, DMY or YMD. / --date-format 应为 MDY、DMY 或 YMD，收到「${o.dateFormat}」。`);
        const gradeMap = o.gradeMap ? parseGradeMap(o.gradeMap) : o.gradeScale ? undefined : saved?.gradeMap;
        const enc = preview.encoding ? `, ${preview.encoding}` : '';
        const delim = preview.delimiter ? `, delimiter ${JSON.stringify(preview.delimiter)}` : '';
        const sheet = preview.sheet ? `, sheet "${preview.sheet}"` : '';
        // Title rows above the table were skipped: say where the header was found.
        const header = (preview.headerRow ?? 1) > 1 ? (lang === 'zh' ? `, 表头在第 ${preview.headerRow} 行` : `, header on row ${preview.headerRow}`) : '';
        process.stdout.write(`${basename(file)}: ${preview.format}${enc}${delim}${sheet}${header}, ${preview.rowCount} rows\n`);
        process.stdout.write(lang === 'zh' ? '字段映射：\n' : 'Mapping:\n');
        for (const [field, header] of Object.entries(mapping)) process.stdout.write(`  ${field} ← ${header}\n`);
        for (const [field, value] of Object.entries(constants)) process.stdout.write(`  ${field} = ${value}\n`);
        // The rating scale the grades are read on: given, saved, or proposed from the values.
        const scale = gradeMap ?? (o.gradeScale ? null : preview.grade?.proposal.entries);
        if (preview.grade && scale) {
          const counts = new Map(preview.grade.values.map((v) => [v.value, v.count]));
          process.stdout.write(lang === 'zh' ? `评级量表（${preview.grade.header}${gradeMap ? '' : `，按取值推荐：${preview.grade.proposal.preset ?? '无匹配'}；可用 --grade-map 修改`}）：\n` : `Rating scale (${preview.grade.header}${gradeMap ? '' : `, proposed from the values: ${preview.grade.proposal.preset ?? 'no match'}; change it with --grade-map`}):\n`);
          for (const e of scale) {
            const n = counts.get(e.value);
            const g = e.grade ? `${e.grade} ${GRADE_LABELS[e.grade][lang]}` : lang === 'zh' ? '不是等级' : 'not a grade';
            process.stdout.write(`  ${e.value} → ${g}${n !== undefined ? (lang === 'zh' ? `（${n} 行）` : ` (${n} rows)`) : ''}\n`);
          }
        }
        // New org units and employees are listed, and created only when confirmed (--create-new):
        // a typo in a department column would otherwise become a department of its own.
        const creates = preview.creates && (o.table !== 'metrics' || o.createMissing) ? preview.creates : null;
        // The list comes first; the import itself checks the rows before it refuses to create
        // anything unconfirmed, so a broken file still gets its row-by-row report.
        if (creates) process.stdout.write(planText(creates, lang));
        const result = await backend.run({
          // The sheet the preview read (of several, the flat one unless --sheet names another).
          table: o.table, mapping, constants, onDuplicate: o.onDuplicate, sheet: o.sheet ?? preview.sheet ?? undefined, saveMappingAs: o.saveMapping,
          confirmCreate: o.createNew ? true : { orgUnits: [], employees: 0 },
          ...(gradeMap ? { gradeMap } : {}), ...(o.gradeScale ? { gradeScale: o.gradeScale } : {}), ...(dateFormat ? { dateFormat: dateFormat.toUpperCase() as 'YMD' } : {}),
          ...(o.createMissing ? { createMissing: true } : {}),
        }).catch((err: unknown) => {
          if (!(err instanceof CreationNotConfirmedError)) throw err;
          return err;
        });
        if (result instanceof CreationNotConfirmedError) {
          process.stderr.write(result[lang] + '\n');
          process.exitCode = 1;
          return;
        }
        if (result.ok) {
          const c = result.created;
          process.stdout.write(
            lang === 'zh'
              ? `导入成功：批次 ${result.batchId}，新增 ${result.inserted} 行，替换 ${result.replaced} 行；新建部门 ${c.orgUnits}、员工 ${c.employees}、考核期间 ${c.periods}、岗位 ${c.roles ?? 0}\n`
              : `Imported: batch ${result.batchId}, ${result.inserted} rows inserted, ${result.replaced} replaced; created ${c.orgUnits} departments, ${c.employees} employees, ${c.periods} periods, ${c.roles ?? 0} roles\n`,
          );
          return;
        }
        if (o.errorsCsv) writeFileSync(o.errorsCsv, errorsToCsv(result.errors));
        process.stderr.write(
          // A file-level failure (mapping, broken structure) stops before the rows are counted.
          (lang === 'zh'
            ? `导入失败，未写入任何数据：${result.errorCount} 个错误${result.rowCount ? `（共 ${result.rowCount} 行）` : ''}\n`
            : `Import failed, nothing was written: ${result.errorCount} errors${result.rowCount ? ` in ${result.rowCount} rows` : ''}\n`) + errorTable(result.errors, lang) + '\n',
        );
        if (o.errorsCsv) process.stderr.write((lang === 'zh' ? `错误明细已写入 ` : 'Errors written to ') + o.errorsCsv + '\n');
        process.exitCode = 1;
      } finally {
        backend.close();
      }
    });
}
