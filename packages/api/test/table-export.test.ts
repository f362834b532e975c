import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from '../../warehouse/node_modules/exceljs';
import { TRPCError } from '@trpc/server';
import type { UserRole } from '@perflens/core';
import { Warehouse } from '@perflens/warehouse';
import { AuthService } from '@perflens/auth';
import { appRouter, createCallerFactory } from '../src/index.ts';

let dir: string;
let wh: Warehouse;
let auth: AuthService;
const createCaller = createCallerFactory(appRouter);
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-table-'));
  wh = await Warehouse.open({ path: join(dir, 't.duckdb') });
  auth = new AuthService(wh);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

async function as(role: UserRole) {
  const user = { id: `u-${role}`, name: `User ${role}`, role, orgScopes: role === 'manager' || role === 'viewer' ? ['OU-X'] : [], mustChangePassword: false, disabled: false, createdAt: '' };
  const actor = await auth.actorFor(user, '127.0.0.1', 'session');
  return createCaller({ wh, lang: 'en', http: { auth, actor, ip: '127.0.0.1', sessionToken: null, setSession: () => undefined } });
}

const table = { title: '评分人宽严度 Rater leniency', columns: [{ label: '评分人' }, { label: 'n', numeric: true }], rows: [['张三', '1,234'], ['-cmd|x', '5']] };

describe('table.exportXlsx', () => {
  it('turns a displayed table into a workbook, audited, for any role that may export', async () => {
    const out = await (await as('manager')).table.exportXlsx(table);
    expect(out.fileName).toMatch(/^perflens-评分人宽严度-Rater-leniency-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(out.base64, 'base64') as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getCell('B2').value).toBe(1234);
    expect(ws.getCell('A3').value).toBe(`'-cmd|x`);
    const [row] = await wh.query<{ action: string; entity_id: string }>(`SELECT action, entity_id FROM audit_log WHERE action = 'export.table'`);
    expect(row).toEqual({ action: 'export.table', entity_id: table.title });
  });

  it('refuses roles without export, and tables past its bounds, before writing anything', async () => {
    const denied = await (await as('viewer')).table.exportXlsx(table).catch((e: unknown) => e);
    expect((denied as TRPCError).code).toBe('FORBIDDEN');
    const admin = await as('admin');
    const wide = { ...table, columns: Array.from({ length: 60 }, (_, i) => ({ label: `c${i}` })), rows: Array.from({ length: 7000 }, () => Array.from({ length: 60 }, () => 1)) };
    expect(((await admin.table.exportXlsx(wide).catch((e: unknown) => e)) as TRPCError).code).toBe('BAD_REQUEST');
    expect(((await admin.table.exportXlsx({ ...table, extra: 1 } as never).catch((e: unknown) => e)) as TRPCError).code).toBe('BAD_REQUEST');
  });
});
