/**
 * What a long history is compacted into (see `replica.ts`): the changes that make a room's grant
 * (`compacted()` in grants.ts) or a group (`compacted()` in groups.ts) as this node holds it now.
 */
import type { GroupStore } from '../groups';
import { type ClusterGrants, compacted as compactedGrant, HISTORY_MARGIN_MS } from './grants';
import { compacted as compactedGroup } from './groups';
import type { Change } from './replica';

/** A compacted history: its entries, and how long to keep it (0: for good). */
export interface Compacted {
  readonly entries: readonly Record<string, unknown>[];
  readonly ttl: number;
}

export function compactedOf(
  stores: { readonly grants: ClusterGrants | null; readonly groups: GroupStore | null },
  t: Change['t'],
  id: number | string,
  nowMs: number,
): Compacted {
  if (t === 'group') return { entries: stores.groups ? compactedGroup(stores.groups, String(id), nowMs) : [], ttl: 0 };
  const grant = stores.grants?.describe(Number(id), nowMs) ?? null;
  // Kept as long as the grant it makes can live (see `ClusterGrants.historyTtl`).
  return { entries: grant ? compactedGrant(Number(id), grant) : [], ttl: stores.grants?.historyTtl(Number(id), nowMs) ?? HISTORY_MARGIN_MS };
}
