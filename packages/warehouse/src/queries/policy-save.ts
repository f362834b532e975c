import { randomUUID } from 'node:crypto';
import type { Policy, PolicyFields } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { appendAuditOn } from './audit-append.ts';

/** A policy that cannot be stored as given; `field` names the input field at fault. */
export class PolicyValidationError extends Error {
  constructor(
    readonly field: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${field}: ${en} / ${zh}`);
    this.name = 'PolicyValidationError';
  }
}

export interface SavedPolicy {
  policy: Policy;
  /** Stored, but worth telling the user (e.g. the date lies outside the data). */
  warnings: Array<{ zh: string; en: string }>;
}

const LIST = (p: string) => `CAST(from_json($${p}, '["VARCHAR"]') AS VARCHAR[])`;

/**
 * Creates (mode 'create', id generated when absent) or replaces (mode 'update') a policy in one
 * transaction, with an audit-log entry. Scope org units must exist; an effective date outside
 * the periods that hold data is stored but reported, since data may be imported later.
 */
export async function savePolicy(wh: Warehouse, mode: 'create' | 'update', fields: PolicyFields & { id?: string }): Promise<SavedPolicy> {
  const id = fields.id ?? `POL-${randomUUID().slice(0, 8).toUpperCase()}`;
  const policy: Policy = { ...fields, id };
  const warnings: SavedPolicy['warnings'] = [];
  await wh.transaction(async (conn) => {
    const read = async <T>(sql: string, params: Record<string, string | null>) =>
      (await conn.runAndReadAll(sql, params as never)).getRowObjectsJson() as unknown as T[];
    const missing = await read<{ id: string }>(
      `SELECT x AS id FROM unnest(${LIST('orgs')}) t(x) WHERE x NOT IN (SELECT id FROM org_units) ORDER BY x`,
      { orgs: JSON.stringify(policy.scopeOrgUnitIds) },
    );
    if (missing.length)
      throw new PolicyValidationError(
        'scopeOrgUnitIds',
        `范围中的组织单位不存在：${missing.map((m) => m.id).join('、')}`,
        `scope org units not found: ${missing.map((m) => m.id).join(', ')}`,
      );
    const [exists] = await read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM policies WHERE id = $id', { id });
    if (mode === 'create' && exists!.n > 0) throw new PolicyValidationError('id', `政策编号 ${id} 已存在`, `policy id ${id} already exists`);
    if (mode === 'update' && exists!.n === 0) throw new PolicyValidationError('id', `政策 ${id} 不存在`, `policy ${id} not found`);
    const [range] = await read<{ first: string | null; last: string | null }>(
      `SELECT strftime(min(p.start_date), '%Y-%m-%d') AS first, strftime(max(p.end_date), '%Y-%m-%d') AS last
         FROM periods p WHERE p.id IN (SELECT period_id FROM assessments UNION SELECT period_id FROM metrics)`,
      {},
    );
    if (!range?.first || !range.last)
      warnings.push({ zh: '数据库中还没有考核或指标数据，无法核对生效日期。', en: 'There is no assessment or metric data yet, so the effective date cannot be checked.' });
    else if (policy.effectiveFrom <= range.first || policy.effectiveFrom > range.last)
      warnings.push({
        zh: `生效日期 ${policy.effectiveFrom} 不在数据覆盖的范围内（${range.first} 至 ${range.last}），政策前后至少各需一个期间才能评估。`,
        en: `The effective date ${policy.effectiveFrom} lies outside the data (${range.first} to ${range.last}); at least one period on each side is needed to evaluate it.`,
      });
    const params = {
      id,
      name: policy.name,
      description: policy.description,
      from: policy.effectiveFrom,
      orgs: JSON.stringify(policy.scopeOrgUnitIds),
      roles: JSON.stringify(policy.scopeRoles),
      before: policy.schemeBefore,
      after: policy.schemeAfter,
    };
    const [old] = await read<{ j: string }>('SELECT to_json(p)::VARCHAR AS j FROM policies p WHERE id = $id', { id });
    if (mode === 'create')
      await conn.run(
        `INSERT INTO policies (id, name, description, effective_from, scope_org_unit_ids, scope_roles, scheme_before, scheme_after)
         VALUES ($id, $name, $description, CAST($from AS DATE), ${LIST('orgs')}, ${LIST('roles')}, $before, $after)`,
        params as never,
      );
    else
      await conn.run(
        `UPDATE policies SET name = $name, description = $description, effective_from = CAST($from AS DATE),
                scope_org_unit_ids = ${LIST('orgs')}, scope_roles = ${LIST('roles')}, scheme_before = $before, scheme_after = $after
          WHERE id = $id`,
        params as never,
      );
    await appendAuditOn(conn, { action: `policy.${mode}`, entity: 'policy', entityId: id, before: old?.j ?? null, after: policy });
  });
  return { policy, warnings };
}
