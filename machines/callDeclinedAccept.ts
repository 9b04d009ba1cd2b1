/**
 * Many devices over Tencent IM, in a call that goes on without the one who declined (a group call):
 * one device of an invitee declined for itself (its REJECT, busy or not, or its own ring's TIMEOUT),
 * and another device of that user accepted after it: its ACCEPT lands after the decline, or its media
 * comes into the room. Tencent IM passes a user's every answer and TRTC lets the device in; nothing
 * settles between the devices but the caller. The person chose to accept and is in the room: the call
 * takes them as having answered, as every invitee who answers is (USER_ACCEPT, then USER_ENTER), where it
 * kept them as declined while they talked in it (no USER_ACCEPT; their leave or hangup was nobody's).
 * What the decline left is undone where it can be: the late-accept ledger's note of it (a late ACCEPT
 * is not told a HANGUP) and its place in NO_RESP's list; the REJECT, LINE_BUSY or NO_RESP the user
 * heard stays heard. A device that answered busy is in another call and still holds an IM group's
 * invitation: what withdraws the others goes C2C still (`busyElsewhere`, see `c2cWithdrawals`).
 *
 * Not after our own timer's TIMEOUT (it reaches their device and ends its call), nor for an invitee
 * whose decline ended the call (the ending call answers the ACCEPT with a HANGUP: `LateAccepts.declined`).
 * The other order, the ACCEPT first and the decline after, needs nothing: an invitee who answered is
 * past deciding (its actor ignores the decline). The embedded server and the memory network pass one
 * answer per user and keep the user's other devices out of the room: this does not happen there.
 */
import { type CallContext, inviteIdOf } from './callModel';
import type { InviteeStatus } from './inviteeMachine';
import { forgetDeclined, hasDeclined } from './lineModel';
import type { UserID } from './types';

const DECLINED: ReadonlySet<InviteeStatus | undefined> = new Set(['rejected', 'busy', 'noResponse']);

/** Whether `userID` declined for itself (not by our timer, nor one another device's accept overruled already): another device's accept overrules it. */
export const overrulable = (c: CallContext, userID: UserID): boolean =>
  DECLINED.has(c.roster[userID]) && hasDeclined(c.late, userID, inviteIdOf(c, userID));

/** What the decline of `userID` left, undone; its invitee actor, told `overrule`, reports it accepted. */
export const overruled = (c: CallContext, userID: UserID): Partial<CallContext> => ({
  late: forgetDeclined(c.late, userID, inviteIdOf(c, userID)),
  noResponse: c.noResponse.filter((u) => u !== userID),
  ...(c.roster[userID] === 'busy' ? { busyElsewhere: [...c.busyElsewhere, userID] } : {}),
});
