import { computed } from 'vue';
import { useQuery } from '@tanstack/vue-query';
import type { OrgUnit } from '@/api/contract';
import { metaQueries } from '@/api/queries';

export function useOverviewCounts() {
  return useQuery(metaQueries.overview);
}
export function usePeriods() {
  return useQuery(metaQueries.periods);
}
export function useOrgUnits() {
  return useQuery(metaQueries.orgUnits);
}

export interface TreeNode {
  value: string;
  label: string;
  children?: TreeNode[];
}

/** The flat, parents-first org unit list as a tree for el-tree-select. */
export function buildOrgTree(units: OrgUnit[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  for (const u of units) nodes.set(u.id, { value: u.id, label: u.name });
  for (const u of units) {
    const node = nodes.get(u.id)!;
    const parent = u.parentId ? nodes.get(u.parentId) : undefined;
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  return roots;
}

export function useOrgTree() {
  const q = useOrgUnits();
  const tree = computed(() => buildOrgTree(q.data.value ?? []));
  const names = computed(() => new Map((q.data.value ?? []).map((u) => [u.id, u.name])));
  return { query: q, tree, names };
}
