/**
 * The room of an invitation (taken out of `mail.ts`, which uses it): granted to the invitees that receive it.
 */
import { MAX_CALL_TIMEOUT_SECONDS, type CallMeta } from '../adapters/ws/protocol';
import type { RoomGrants } from './grants';
import { type Refusal, refuse } from './refusal';

/** The invitees an invitation names that it reaches: the users its room is granted to. */
export function invitedAmong(call: CallMeta, recipients: readonly string[]): string[] {
  const receiving = new Set(recipients);
  return call.invitees.filter((u) => receiving.has(u));
}

/**
 * Grants the invitation's room to `users`, the invitees it reaches. A C2C copy must be addressed to one of its
 * invitees; a group invitation admits the invitees that are members, and records the group (joinInGroupCall).
 * `pay`: what its copies cost, spent once nothing refuses the grant, before it is made (`RoomGrants.grant`).
 */
export function grantInvitation(grants: RoomGrants, sender: string, call: CallMeta, users: readonly string[], c2c: boolean, now: number, group: string | undefined, pay: () => Refusal | null): Refusal | null {
  if (c2c && users.length === 0) return refuse('badFrame', 'call.invitees must name the recipient');
  const seconds = call.timeout > 0 ? call.timeout : MAX_CALL_TIMEOUT_SECONDS;
  return grants.grant(sender, call.roomID, users, now + seconds * 1000, now, c2c ? undefined : group, false, pay);
}
