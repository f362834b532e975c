import { BilingualError } from '@perflens/core';
import { limitEnv, type ImportLimits } from './limits.ts';

/**
 * What the user is told when a file cannot be imported as it is: over a bound (limits.ts) or
 * unreadable. A reader's own words never reach the user: DuckDB's name the upload's path on the
 * server and quote the SQL that read it, JSZip's are English and link to its issue tracker, and
 * ExcelJS's ("Cannot read properties of undefined (reading 'col')") explain nothing. The original
 * error travels as `cause`, for the server log.
 */

type Format = 'csv' | 'xlsx' | 'parquet';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => fmt(bytes / (1 << 20));

/** Which bound a file went past, with what was found (and where, when known). */
export type LimitBreach =
  | { limit: 'maxColumns'; found: number; max: number; row?: number; sheet?: string }
  | { limit: 'maxRows'; max: number; sheet?: string }
  | { limit: 'maxCells'; max: number; columns: number; sheet?: string }
  | { limit: 'maxCellChars'; found: number; max: number; row?: number; column?: string; sheet?: string }
  | { limit: 'maxMergedRanges'; found: number; max: number; sheet: string }
  | { limit: 'maxMergedCells'; found: number; max: number; sheet: string }
  | { limit: 'dimension'; ref: string; rows: number; columns: number; maxRows: number; maxColumns: number; sheet: string }
  | { limit: 'maxXlsxExpandedBytes'; found: number; max: number }
  | { limit: 'maxXlsxRatio'; entry: string; found: number; max: number }
  | { limit: 'xlsxTimeoutMs'; max: number }
  | { limit: 'xlsxWorkerHeapMb'; max: number };

function limitMessage(b: LimitBreach): { zh: string; en: string } {
  const sheetZh = 'sheet' in b && b.sheet ? `工作表「${b.sheet}」` : '';
  const sheetEn = 'sheet' in b && b.sheet ? `sheet "${b.sheet}" ` : '';
  switch (b.limit) {
    case 'maxColumns': {
      const env = limitEnv('maxColumns');
      const at = b.row ? { zh: `第 ${b.row} 行`, en: ` (row ${b.row})` } : { zh: '', en: '' };
      return {
        zh: `${sheetZh}${at.zh}有 ${fmt(b.found)} 列，超过上限 ${fmt(b.max)} 列（${env}）。请删去多余的列，或检查分隔符是否正确`,
        en: `${sheetEn}has ${fmt(b.found)} columns${at.en}, more than the limit of ${fmt(b.max)} (${env}). Remove the columns you do not need, or check the delimiter`,
      };
    }
    case 'maxRows': {
      const env = limitEnv('maxRows');
      return {
        zh: `${sheetZh}超过 ${fmt(b.max)} 行的上限（${env}）。请拆分成几个文件分别导入`,
        en: `${sheetEn}has more than ${fmt(b.max)} rows, the limit (${env}). Split it into several files and import each`,
      };
    }
    case 'maxCells': {
      const env = limitEnv('maxCells');
      return {
        zh: `${sheetZh}的行数 × 列数（${fmt(b.columns)} 列）超过 ${fmt(b.max)} 个单元格的上限（${env}）。请拆分成几个文件分别导入，或删去多余的列`,
        en: `${sheetEn}has more than ${fmt(b.max)} cells (rows × ${fmt(b.columns)} columns), the limit (${env}). Split it into several files, or remove the columns you do not need`,
      };
    }
    case 'maxCellChars': {
      const env = limitEnv('maxCellChars');
      const where = { zh: `${sheetZh}${b.row ? `第 ${b.row} 行` : ''}${b.column ? `「${b.column}」列` : ''}`, en: `${b.row ? `row ${b.row}${b.column ? `, column ${b.column}` : ''}` : 'a value'}${b.sheet ? ` of sheet "${b.sheet}"` : ''}` };
      return {
        zh: `${where.zh || '某个值'}有 ${fmt(b.found)} 个字符，超过单个值 ${fmt(b.max)} 个字符的上限（${env}）。请检查该处内容（常见原因是引号未配对）`,
        en: `${where.en} holds ${fmt(b.found)} characters, more than the limit of ${fmt(b.max)} for one value (${env}). Check that cell (an unbalanced quote is the usual cause)`,
      };
    }
    case 'maxMergedRanges': {
      const env = limitEnv('maxMergedRanges');
      return {
        zh: `${sheetZh}有 ${fmt(b.found)} 个合并单元格区域，超过上限 ${fmt(b.max)}（${env}）。请取消合并单元格后再导入`,
        en: `${sheetEn}has ${fmt(b.found)} merged ranges, more than the limit of ${fmt(b.max)} (${env}). Unmerge the cells and import again`,
      };
    }
    case 'maxMergedCells': {
      const env = limitEnv('maxMergedCells');
      return {
        zh: `${sheetZh}的合并单元格共覆盖 ${fmt(b.found)} 个单元格，超过上限 ${fmt(b.max)}（${env}）。请取消合并单元格后再导入`,
        en: `${sheetEn}has merged ranges covering ${fmt(b.found)} cells, more than the limit of ${fmt(b.max)} (${env}). Unmerge the cells and import again`,
      };
    }
    case 'dimension': {
      const envs = `${limitEnv('maxRows')}、${limitEnv('maxColumns')}`;
      return {
        zh: `${sheetZh}声明的数据范围 ${b.ref} 有 ${fmt(b.rows)} 行 × ${fmt(b.columns)} 列，超过 ${fmt(b.maxRows)} 行或 ${fmt(b.maxColumns)} 列的上限（${envs}）。请在 Excel 中删除数据以外的空行和空列后另存`,
        en: `${sheetEn}declares its used range as ${b.ref}, ${fmt(b.rows)} rows × ${fmt(b.columns)} columns, beyond the limit of ${fmt(b.maxRows)} rows or ${fmt(b.maxColumns)} columns (${envs.replace('、', ', ')}). Delete the empty rows and columns around the data in Excel and save again`,
      };
    }
    case 'maxXlsxExpandedBytes': {
      const env = limitEnv('maxXlsxExpandedBytes');
      return {
        zh: `解压后有 ${mb(b.found)} MB，超过工作簿 ${mb(b.max)} MB 的上限（${env}）。请删去不需要的工作表，或另存为 CSV 后导入`,
        en: `unpacks to ${mb(b.found)} MB, more than the limit of ${mb(b.max)} MB for a workbook (${env}). Remove the sheets you do not need, or save it as CSV and import that`,
      };
    }
    case 'maxXlsxRatio': {
      const env = limitEnv('maxXlsxRatio');
      return {
        zh: `其中的部件 ${b.entry} 解压后是压缩大小的 ${fmt(b.found)} 倍，超过上限 ${fmt(b.max)} 倍（${env}）；正常的工作簿不会这样，文件可能是为耗尽内存而构造的`,
        en: `its part ${b.entry} unpacks to ${fmt(b.found)} times its packed size, more than the limit of ${fmt(b.max)} (${env}); workbooks are not like this, the file may be built to exhaust memory`,
      };
    }
    case 'xlsxTimeoutMs': {
      const env = limitEnv('xlsxTimeoutMs');
      return {
        zh: `未能在 ${fmt(b.max / 1000)} 秒内读完（${env}）。请删去不需要的工作表，或另存为 CSV 后导入`,
        en: `could not be read within ${fmt(b.max / 1000)} s (${env}). Remove the sheets you do not need, or save it as CSV and import that`,
      };
    }
    case 'xlsxWorkerHeapMb': {
      const env = limitEnv('xlsxWorkerHeapMb');
      return {
        zh: `读取所需内存超过 ${fmt(b.max)} MB 的上限（${env}）。请删去不需要的工作表，或另存为 CSV 后导入`,
        en: `needs more than ${fmt(b.max)} MB of memory to read (${env}). Remove the sheets you do not need, or save it as CSV and import that`,
      };
    }
  }
}

/** Something about the file the user can fix; the message says what (without the file name). */
export abstract class FileProblem extends BilingualError {}

/** A file past one of the bounds in limits.ts. */
export class ImportLimitError extends FileProblem {
  constructor(readonly breach: LimitBreach) {
    const m = limitMessage(breach);
    super(m.zh, m.en);
  }
  get limit(): LimitBreach['limit'] {
    return this.breach.limit;
  }
}

/** Why a file could not be read, when something more specific than "damaged" is known. */
export type UnreadableHint = 'xls' | 'truncated' | 'sizes' | 'encoding' | 'line-size' | 'sheet-missing';

const READ_AS: Record<Format, { zh: string; en: string }> = {
  csv: { zh: '无法作为 CSV 文本文件读取', en: 'could not be read as a CSV text file' },
  xlsx: { zh: '无法作为 Excel 工作簿（XLSX）读取', en: 'could not be read as an Excel workbook (XLSX)' },
  parquet: { zh: '无法作为 Parquet 文件读取', en: 'could not be read as a Parquet file' },
};

const RESAVE: Record<Format, { zh: string; en: string }> = {
  csv: { zh: '请在 Excel 中打开后另存为“CSV UTF-8（逗号分隔）”或 XLSX，再重新上传', en: 'Open it in Excel, save it as "CSV UTF-8 (comma delimited)" or XLSX, and upload that' },
  xlsx: { zh: '请在 Excel 中打开后重新另存为 .xlsx（或 CSV），再重新上传', en: 'Open it in Excel, save it again as .xlsx (or CSV), and upload that' },
  parquet: { zh: '请从来源系统重新导出后再上传', en: 'Export it again from the system it came from and upload the new file' },
};

function unreadableMessage(format: Format, hint?: UnreadableHint, line?: number): { zh: string; en: string } {
  const why: Record<UnreadableHint, { zh: string; en: string }> = {
    xls: { zh: '它是旧版 .xls 工作簿或设置了打开密码', en: 'it is an old .xls workbook or is protected by a password' },
    truncated: { zh: '文件不完整（可能上传或复制时被截断）', en: 'the file is incomplete (cut short while copying or uploading)' },
    sizes: { zh: '文件内部记录的大小与实际内容不符，文件已损坏', en: 'the sizes it records for its parts do not match their content: it is damaged' },
    encoding: { zh: `${line ? `第 ${line} 行起` : '文件中'}的文字不是 UTF-8 编码（同一文件混用了不同编码）`, en: `${line ? `from line ${line} ` : ''}the text is not UTF-8 (the file mixes encodings)` },
    'line-size': { zh: `${line ? `第 ${line} 行` : '有一行'}超过 2 MB`, en: `${line ? `line ${line}` : 'a line'} is longer than 2 MB` },
    'sheet-missing': { zh: '找不到其中的工作表', en: 'its worksheets cannot be found' },
  };
  const w = hint ? why[hint] : { zh: '文件已损坏、不完整，或不是这种格式', en: 'it is damaged, incomplete, or not of this format' };
  return { zh: `${READ_AS[format].zh}：${w.zh}。${RESAVE[format].zh}`, en: `${READ_AS[format].en}: ${w.en}. ${RESAVE[format].en}` };
}

/** A file its reader could not read. */
export class UnreadableFileError extends FileProblem {
  constructor(
    readonly format: Format,
    readonly hint?: UnreadableHint,
    cause?: unknown,
    line?: number,
  ) {
    const m = unreadableMessage(format, hint, line);
    super(m.zh, m.en);
    if (cause !== undefined) this.cause = cause;
  }
}

/** A sheet asked for by name that the workbook does not have (or a workbook without sheets). */
export class SheetNotFoundError extends FileProblem {
  constructor(sheet: string | null, sheets: string[]) {
    super(
      sheet ? `找不到工作表「${sheet}」，工作簿中有：${sheets.join('、')}` : '工作簿中没有工作表',
      sheet ? `Sheet "${sheet}" not found; the workbook has: ${sheets.join(', ')}` : 'The workbook has no worksheet',
    );
  }
}

/** A failure that is not the file's: the user gets a plain message, the log gets `cause`. */
export class ImportInternalError extends BilingualError {
  constructor(fileName: string, cause: unknown) {
    super(`读取「${fileName}」时服务器内部出错，详情已写入服务器日志，请稍后重试`, `Internal error while reading ${fileName}; the details are in the server log. Try again later`);
    this.cause = cause;
  }
}

/** An error the warehouse recognises as the file's (over a bound, or unreadable), else null. */
export function fileProblem(err: unknown, format: Format, paths: string[] = []): FileProblem | null {
  if (err instanceof FileProblem) return err;
  const message = String((err as Error)?.message ?? err);
  // DuckDB failing on the file: its message names the file, or comes from its CSV or Parquet
  // reader. Anything else (a statement of ours that failed) is not the user's to fix.
  const duck = /^(Invalid Input|IO|Conversion|Invalid|Out of Memory|Not implemented) Error:/.test(message);
  const names = paths.some((p) => p && message.includes(p));
  const reader = /CSV Error on Line|Error when sniffing|Invalid unicode|not utf-8 encoded|Maximum line size|magic bytes|Footer length|TProtocolException|Thrift|read_csv|read_parquet/i.test(message);
  if (!names && !(duck && reader)) return null;
  const line = Number(/CSV Error on Line: (\d+)/.exec(message)?.[1]) || undefined;
  if (/Invalid unicode|not utf-8 encoded/i.test(message)) return new UnreadableFileError('csv', 'encoding', err, line);
  if (/Maximum line size/i.test(message)) return new UnreadableFileError(format, 'line-size', err, line);
  return new UnreadableFileError(format, undefined, err);
}

/** "name：…" / "name: …", as the import's other file-level messages read. */
export function withFileName(fileName: string, m: { zh: string; en: string }): { zh: string; en: string } {
  return { zh: `${fileName}：${m.zh}`, en: `${fileName}: ${m.en}` };
}
