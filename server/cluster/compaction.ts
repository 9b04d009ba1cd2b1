/**
 * What a long history is compacted into (see `replica.ts`): the changes that make a room's grant
 * (`compacted()` in grants.ts) or a group (`compacted()` in groups.ts) as this node holds it now.
 */
import type { GroupStore } from '../groups';
import { type ClusterGrants, compacted as compactedGrant } from './grants';
import { compacted as compactedGroup } from './groups';
import type { Change } from './replica';

export function compactedOf(
  stores: { readonly grants: ClusterGrants | null; readonly groups: GroupStore | null },
  t: Change['t'],
  id: number | string,
  nowMs: number,
): readonly Record<string, unknown>[] {
  if (t === 'group') return stores.groups ? compactedGroup(stores.groups, String(id), nowMs) : [];
  const grant = stores.grants?.describe(Number(id), nowMs) ?? null;
  return grant ? compactedGrant(Number(id), grant) : [];
}
