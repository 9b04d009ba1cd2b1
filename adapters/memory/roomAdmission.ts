/**
 * Who the memory room admits, as the embedded server's room grants do (server/grants.ts): a
 * user entering with an invitation is let in; one entering without (joinInGroupCall) only
 * into a group call made through the IM group it names, and only as a member of that group.
 * A 1v1 call's room (entered with its `participants`) admits no joiner.
 */
import type { UserID } from '../../machines/types';
import { RoomPortError, type EnterOptions } from '../RoomPort';

/** What a member's entry said of its call. */
export interface EntryTerms {
  readonly participants?: readonly UserID[] | undefined;
  readonly groupID?: string | undefined;
}

/** Whether `userID` is in IM group `groupID` (the memory IM hub's groups). */
export type GroupMembership = (groupID: string, userID: UserID) => boolean;

/** Throws the server's `notInvited` (10007) when `options` may not enter among `present`. */
export function checkAdmission(roomID: number, options: EnterOptions, present: readonly EntryTerms[], isMember: GroupMembership): void {
  if (!options.joining) return;
  const { groupID, userID } = options;
  const host = present.find((m) => m.participants === undefined && m.groupID !== undefined && m.groupID === groupID);
  if (groupID !== undefined && host && isMember(groupID, userID)) return;
  throw new RoomPortError(10007, `no invitation to room ${roomID} names ${userID}`);
}
