// @ts-check
/**
 * Workbook → CSV in a process of its own (read.ts xlsxToCsv forks it with a capped heap). ExcelJS
 * parses on the thread it runs on and holds what it reads in that heap: here a workbook's parsing
 * never blocks the server's event loop, and the server kills this process when it runs past its
 * time. A process rather than a worker thread: a worker that reaches its heap limit
 * (resourceLimits) is usually ended alone, but on some allocation paths V8 aborts the whole
 * process instead (nodejs/node#47224): on Node 20, ExcelJS reading 200,000 rows whole in a 64 MB
 * worker, the third of six runs took the process down. Plain JavaScript: see sheet-csv.mjs.
 *
 * In: the job as JSON in argv[2], { path, out, sheet?, whole, limits }. Out: one IPC message,
 * { ok: true, sheets, sheet, rowOffset } | { ok: false, breach } | { ok: false, missing, sheets }
 * | { ok: false, error } (a reader's message, for the server log only).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { BreachError, cellText, columnIndex, sheetCsv } from './sheet-csv.mjs';

/** @type {{ path: string; out: string; sheet?: string; whole: boolean; limits: import('./sheet-csv.mjs').SheetLimits }} */
const job = JSON.parse(process.argv[2] ?? '{}');
// The server went away (or gave up on this conversion): nothing is waiting for the result.
process.on('disconnect', () => process.exit(1));

/** @param {unknown} message */
const reply = (message) => new Promise((resolve) => (process.send ? process.send(message, () => resolve(undefined)) : resolve(undefined)));

async function convert() {
  const ws = createWriteStream(job.out);
  let failed = null;
  ws.on('error', (err) => (failed = err));
  const sink = {
    /** @param {string} text */
    async write(text) {
      if (failed) throw failed;
      if (!ws.write(text)) await once(ws, 'drain');
    },
  };
  /** @type {string[]} */
  const sheets = [];
  /** @type {string | null} */
  let chosen = null;
  /** @type {ReturnType<typeof sheetCsv> | null} */
  let csv = null;
  if (job.whole) {
    // Read whole: only this gives where merges are (the pre-scan bounded their number and area).
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(job.path);
    sheets.push(...wb.worksheets.map((w) => w.name));
    const w = wb.worksheets.find((x) => job.sheet === undefined || x.name === job.sheet);
    if (w) {
      chosen = w.name;
      csv = sheetCsv(sink, job.limits, w.name);
      // Cells of a merge other than its first column, by row: the reader repeats the merge's value there.
      /** @type {Map<number, number[]>} */
      const blank = new Map();
      for (const ref of /** @type {{ merges?: string[] }} */ (w.model).merges ?? []) {
        const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(ref);
        if (!m) continue;
        const [c0, c1] = [columnIndex(m[1] ?? ''), columnIndex(m[3] ?? '')];
        for (let r = Number(m[2]); r <= Number(m[4]); r++) {
          let cols = blank.get(r);
          if (!cols) blank.set(r, (cols = []));
          for (let c = c0 + 1; c <= c1; c++) cols.push(c);
        }
      }
      /** @type {Array<{ number: number; texts: string[] }>} */
      const rows = [];
      w.eachRow((row, number) => {
        const texts = /** @type {unknown[]} */ (row.values).slice(1).map(cellText);
        for (const c of blank.get(number) ?? []) if (c - 1 < texts.length) texts[c - 1] = '';
        rows.push({ number, texts });
      });
      for (const r of rows) await csv.push(r.number, r.texts);
    }
  } else {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(job.path, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // needed to recognise date-formatted numbers as dates
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const worksheet of reader) {
      const name = /** @type {{ name: string }} */ (/** @type {unknown} */ (worksheet)).name;
      sheets.push(name);
      const take = chosen === null && (job.sheet === undefined || job.sheet === name);
      if (take) {
        chosen = name;
        csv = sheetCsv(sink, job.limits, name);
      }
      for await (const row of worksheet) if (take && csv) await csv.push(row.number, /** @type {unknown[]} */ (row.values).slice(1).map(cellText));
    }
  }
  const rowOffset = csv ? await csv.end() : 0;
  ws.end();
  await once(ws, 'finish');
  if (failed) throw failed;
  return { sheets, sheet: chosen, rowOffset };
}

try {
  const r = await convert();
  if (r.sheet === null) await reply({ ok: false, missing: job.sheet ?? null, sheets: r.sheets });
  else await reply({ ok: true, ...r });
} catch (err) {
  if (err instanceof BreachError) await reply({ ok: false, breach: err.breach });
  else await reply({ ok: false, error: String(/** @type {Error} */ (err)?.stack ?? err) });
}
process.disconnect?.();
