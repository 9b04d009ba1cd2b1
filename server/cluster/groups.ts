/**
 * IM groups in a cluster: every node keeps every group in its own SQLite (the single-node
 * {@link SqliteGroupStore}, so the rules of `groups.ts` decide the same way everywhere), and each
 * change a node makes is replayed on the others through the broadcast channel, so that a group
 * message is fanned out by whichever node its sender is on. Like the grants, replicas converge
 * in the order Redis gives the changes; two nodes changing one group at the same instant may
 * disagree for milliseconds. Known limit (the review of 2026-12-05): `maxGroupMembers` is checked
 * where a join or an invitation is made and replayed unchecked, so joins of an open group at once on
 * two nodes can take it past the cap on every node (its messages then cost a full fan-out burst,
 * `Mailer.copiesOf`). Deciding it needs the size counted in Redis before the ack: see `grants.ts`.
 */
import type { GroupRecord, GroupStore } from '../groups';

/** One replicated change. */
export type GroupOp =
  | { readonly op: 'create'; readonly group: GroupRecord; readonly members: readonly string[]; readonly invited: readonly string[]; readonly now: number }
  | { readonly op: 'delete'; readonly groupID: string }
  | { readonly op: 'join'; readonly groupID: string; readonly userID: string }
  | { readonly op: 'invite'; readonly groupID: string; readonly users: readonly string[] }
  | { readonly op: 'remove'; readonly groupID: string; readonly users: readonly string[] };

/** {@link GroupStore} replicated over the cluster's broadcast channel. */
export class ClusterGroupStore implements GroupStore {
  constructor(
    private readonly inner: GroupStore,
    private readonly share: (op: GroupOp) => void,
    /** Commits the turn's pending writes before a replayed change (as `Groups` does before its own). */
    private readonly beforeWrite: () => void,
  ) {}

  get(groupID: string): GroupRecord | undefined {
    return this.inner.get(groupID);
  }

  create(group: GroupRecord, members: readonly string[], invited: readonly string[], now: number): boolean {
    const created = this.inner.create(group, members, invited, now);
    if (created) this.share({ op: 'create', group, members, invited, now });
    return created;
  }

  delete(groupID: string): void {
    this.inner.delete(groupID);
    this.share({ op: 'delete', groupID });
  }

  members(groupID: string): string[] {
    return this.inner.members(groupID);
  }

  invited(groupID: string): string[] {
    return this.inner.invited(groupID);
  }

  isMember(groupID: string, userID: string): boolean {
    return this.inner.isMember(groupID, userID);
  }

  isInvited(groupID: string, userID: string): boolean {
    return this.inner.isInvited(groupID, userID);
  }

  join(groupID: string, userID: string): void {
    this.inner.join(groupID, userID);
    this.share({ op: 'join', groupID, userID });
  }

  invite(groupID: string, users: readonly string[]): void {
    this.inner.invite(groupID, users);
    this.share({ op: 'invite', groupID, users });
  }

  remove(groupID: string, users: readonly string[]): void {
    this.inner.remove(groupID, users);
    this.share({ op: 'remove', groupID, users });
  }

  size(groupID: string): number {
    return this.inner.size(groupID);
  }

  owned(userID: string): number {
    return this.inner.owned(userID);
  }

  /** Replays a change another node made. */
  apply(op: GroupOp): void {
    this.beforeWrite();
    switch (op.op) {
      case 'create':
        this.inner.create(op.group, op.members, op.invited, op.now);
        return;
      case 'delete':
        this.inner.delete(op.groupID);
        return;
      case 'join':
        this.inner.join(op.groupID, op.userID);
        return;
      case 'invite':
        this.inner.invite(op.groupID, op.users);
        return;
      case 'remove':
        this.inner.remove(op.groupID, op.users);
        return;
    }
  }
}

/**
 * The changes that make group `groupID` as it stands here, on any node (a compacted history):
 * whatever that node holds of it goes, then the group is made again with its members and
 * pending invitations. None when it is gone.
 */
export function compacted(store: GroupStore, groupID: string, nowMs: number): GroupOp[] {
  const group = store.get(groupID);
  if (!group) return [];
  return [
    { op: 'delete', groupID },
    { op: 'create', group, members: store.members(groupID), invited: store.invited(groupID), now: nowMs },
  ];
}
