import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { useQuery } from '@tanstack/vue-query';
import { ROLE_LABELS, ROLES, type Role } from '@perflens/core/domain';
import type { RoleInfo } from '@/api/contract';
import { metaQueries } from '@/api/queries';

/** Every role that exists (built-ins first), shared by every picker through one cached query. */
export function useRoles() {
  return useQuery(metaQueries.roles);
}

const isBuiltin = (code: string): code is Role => (ROLES as readonly string[]).includes(code);

/** A built-in whose stored names are still the domain's: its translated label applies. */
function untouchedBuiltin(code: string, info: RoleInfo | undefined): boolean {
  if (!isBuiltin(code)) return false;
  if (!info) return true;
  return info.nameZh === ROLE_LABELS[code].zh && info.nameEn === ROLE_LABELS[code].en;
}

/**
 * The display name of a role in the UI language. Built-ins keep their translated labels
 * (`role.<code>`) unless someone renamed them; a company's own roles show the names stored with
 * them; a code the list does not know (still loading) shows as itself, never as a missing message.
 */
export function roleLabelOf(code: string, info: RoleInfo | undefined, lang: 'zh' | 'en', t: (key: string) => string): string {
  if (untouchedBuiltin(code, info)) return t(`role.${code}`);
  if (info) return (lang === 'en' ? info.nameEn : info.nameZh) || info.nameZh || info.nameEn || code;
  return code;
}

export interface RoleOption {
  code: string;
  label: string;
  info: RoleInfo;
}

/** `label(code)` for tables and charts, and the role list as picker options, in the UI language. */
export function useRoleLabel() {
  const { t, locale } = useI18n();
  const roles = useRoles();
  const byCode = computed(() => new Map((roles.data.value ?? []).map((r) => [r.code, r])));
  const lang = computed<'zh' | 'en'>(() => (locale.value === 'en' ? 'en' : 'zh'));
  const label = (code: string | null | undefined): string => (code ? roleLabelOf(code, byCode.value.get(code), lang.value, t) : '');
  const options = computed<RoleOption[]>(() => (roles.data.value ?? []).map((r) => ({ code: r.code, label: roleLabelOf(r.code, r, lang.value, t), info: r })));
  /**
   * A calibration group's label with its role named in the UI language. Group keys are a role
   * code (grouping by role), `unit|role` (org unit × role), an org unit id or a fixed word; the
   * server's label names roles in Chinese only, and a company's own roles by their code.
   */
  const groupLabel = (key: string, serverLabel: string): string => {
    const bar = key.lastIndexOf('|');
    if (bar > 0) {
      const role = key.slice(bar + 1);
      if (!byCode.value.has(role)) return serverLabel;
      const dot = serverLabel.lastIndexOf(' · ');
      return `${dot >= 0 ? serverLabel.slice(0, dot) : key.slice(0, bar)} · ${label(role)}`;
    }
    return byCode.value.has(key) ? label(key) : serverLabel;
  };
  return { query: roles, byCode, label, groupLabel, options };
}
