/**
 * The browser cost of the minimal app (TRTCCalling + webrtcBackend, bundled by esbuild from the
 * built package, minified, gzipped) against a budget, and what that bundle may contain. Run after
 * `npm run build` (`npm test` does); `npm run size` prints the same figures by part and file.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BundleSize, kb, measureMinimalApp } from '../../scripts/bundleSize';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The budget, gzipped: the measured size (40.8 KB on 2026-12-02) and a little room, so that
 * what a fix adds passes and what a leak adds (a backend, the memory network: several KB) fails.
 * Raise it only on purpose, with the new figure in the README. Raised to 43.5 KB for issue 11's
 * devices and video quality (43.1 KB measured on 2026-12-02, +2.1 KB: the device lists, switchDevice
 * by replaceTrack, the unplugged-camera fallback, the profile table). Issue 14 asked for 30 KB; xstate's
 * interpreter alone is 12-13 KB of it and our own code 26 KB (see the README's Figures).
 */
// Issue 11 (signaling half) raised it by what it added, measured the same way: 40.8 -> 43.2 KB gzipped
// (136.3 -> 147.2 KB minified) for the audio/video switch (a fifth machine and its planners),
// SDK_NOT_READY and the snapshot's connection, inviting into and joining a group call.
// With issue 11's devices and video quality on top (merged 2026-12-02): 45.9 KB gzipped, 156.1 KB minified.
// Issue 11's media half on top: 47.9 KB gzipped, 162.0 KB minified (+2.0 / +5.9 KB: voice volume and
// network quality from getStats() with their polling, the bounded ICE restarts, the new event).
// Issue 14's call setup overlap on top: 49.6 KB gzipped, 168.6 KB minified (+0.9 KB: capturing while
// the call is signalled, the connections made before the capture, the relays that wait for it).
// Issue 11's switch requests routed by the call's room and the capture presets (mute or camera off
// while capturing): 50.0 KB gzipped, 170.1 KB minified (+0.4 KB).
// Issue 14's room claim not waited for, with the Permissions API asked before dialling: 50.3 -> 50.5 KB
// gzipped, 170.8 -> 171.7 KB minified (both measured 2026-12-02 on this machine's build).
// Issue 14's offer handed early (relays kept while ringing, numbered, taken by the enter, the copies
// the enter brings dropped; connections made early dropped when their sender is not listed, media
// told after the room's reply): 51.1 KB gzipped, 173.4 KB minified (2026-12-03). Raised to 51.5 KB for it.
// The room told to drop what it kept for an invitation that ended unanswered: 51.2 KB, 173.9 KB.
// Receipts when the turn ends, answers sent from a listener held until the message is taken: 51.3 KB, 174.1 KB.
// The review's receipt fixes (early receipts once per spacing, ids per user, a folded receipt that does not
// fit, the stale login's session, the answers' one queue): 51.4 KB, 174.6 KB (2026-12-03).
// A user list's length checked before its items (the server's trust boundary: a frame of 30,000 bad items
// cost tens of ms; the client checks its requests with the same schemas): 51.5 KB, 175.0 KB, past 51.5 by
// a few bytes. Raised to 51.7 KB for it.
// An invitation rings only for the room the server granted it (the message's `call`, checked against the
// payload, only with a server that says `callGrants`): 51.6 KB, 175.3 KB (2026-12-03).
// The hang-up INVITE's own inviteID (the call's and HANGUP_SUFFIX, read back by the codec): 52,913 bytes
// gzipped (51.7 KB, 28 bytes under the budget), 175.3 KB minified. The next change that adds code must say
// what it costs and raise the budget on purpose, or take something out.
// Glare and crossing switch requests with Tencent's own client (ours holds the peer's glare invite, takes it
// when its own is answered busy, declines it when the dial ends; no CANCEL of its own invite in a glare): 53,114
// bytes gzipped (+201), 176.3 KB minified (2026-12-03). Raised to 51.9 KB for it.
// A camera or microphone change the server refused (rateLimited) is asked again when asked again (the room
// port took it as told, and the same ask was a no-op): 53,150 bytes (+36), 176.4 KB. Raised to 52.0 KB for it.
// The review of the glare change: the loser withdraws its invite when nobody settled it by the end of the
// merged call, or another device of the winner accepted it; crossing switch requests take the lower one's
// type (the two sides agree again after a lost answer): 53,273 bytes (+123), 176.9 KB. Raised to 52.1 KB.
// Its second review (the winner declines a late glare invite in the call; the loser withdraws only on the
// winner's cancel; a refused camera change taken as the camera off, its captured track stopped): 53,324 bytes
// (+51), 177.1 KB, 26 bytes under the budget.
// Its third review (a late glare invite told from a new call by when it was sent; the loser withdraws on any end
// again; a refused camera-on stops only a track it captured): 53,368 bytes (+44), 177.2 KB. Raised to 52.2 KB.
// Its fourth review (the late glare told by the call's answer time, with a 2 s margin for TIM's whole-second
// stamps; a refused camera change leaves the camera off, as the call takes it): 53,418 bytes (+50), 177.3 KB.
// A refused camera change says "off" only when no other change waits behind it (the call counts the camera
// changes it asked of the room; a refusal followed by a change the room took left the call saying off while
// the camera was on): 53,497 bytes (+79), 177.6 KB. Raised to 52.3 KB.
// WebRTC: a camera closed while switchDevice captures another stays closed, and of two switches at once the
// last one asked wins (the new track went into the stream anyway, live): 53,543 bytes (+46), 177.6 KB.
// The line free once hangup() resolved: a dial waits for the room exit of the call that is ending, an
// invitation then rings once it is done, a login after a kick waits for the kicked call (each was refused or
// answered busy): 53,762 bytes (+219), 178.5 KB. Raised to 52.6 KB.
// A hang-up from inside the room tells who answered nothing (the room does; a group member talking with the
// others was told the call had ended), a hangup notice in a group call with others present ends nothing:
// 53,803 bytes (+41), 178.6 KB.
// A decline, cancel or hangup the IM could not send after its call ended is told (ERROR): 53,837 bytes (+34), 178.8 KB.
// Its review: a refused invitation's ERROR told once; what waits for the ending call gives way to a dial, a
// logout or a kick (a login waiting ran after logout() or destroy(), which then never resolved, and kicked the
// newer login back; an invitation waiting was dropped at logout, blocked a login after a kick, and took the line
// from the user's own dial): 54,048 bytes (+211), 179.7 KB. Raised to 52.8 KB.
// stopLocalView() / stopRemoteView() once the call is over resolve (they rejected): 54,049 bytes (+1).
// An invitation while the call leaves its room is answered busy again, not held and rung after (a property
// run found one ringing for good after its room failed it): 53,855 bytes (-194), 178.9 KB. Back to 52.6 KB.
// A ringing invitation takes no room failure (an earlier call's); a group call's C2C invite that could not be
// sent ends nothing but its invitee's wait (NO_RESP; the first invitee's ended the whole call): 53,946 bytes
// (+91), 179.2 KB. Raised to 52.7 KB.
// That invitee's NO_RESP waits for the next turn (an invitee state of its own, `unreached`: a failure at once
// told it before the dial's promise resolved): 54,013 bytes (+67), 179.5 KB. Raised to 52.8 KB.
// Forged signals (the review of 2026-12-04): a hangup ends a call only from someone with a part in it, and a
// ringing one from such a member says CALLING_CANCEL; a userID such as `constructor` is no invitee; an
// invitee's timeout names itself alone (the codec): 54,083 bytes (+70), 179.6 KB. Raised to 52.9 KB.
// Automatic replies (busy, a refused switch, a stray accept's hangup) have a budget, 5 and one a second: a
// flood from a few users made the victim spend its own rate, and the server closed it: 54,181 bytes (+98),
// 179.8 KB. Raised to 53.0 KB.
// A signal naming an IM group counts only through that group (the bridge): 54,246 bytes (+65), 180.2 KB.
// Their review: the call's own automatic replies have a budget too (a peer flooding invitations), a clock set
// back refills it, a hangup counts only from an invitee that answered (caller) or the inviter (ringing):
// 54,282 bytes (+36), 180.2 KB. Raised to 53.1 KB.
// Tombstones others' signals leave settle only their sender's invitations, 16 per sender (256 junk cancels
// flushed the one a cancel overtaking its invitation left): 54,384 bytes (+102), 180.4 KB. Raised to 53.2 KB.
// A late accept answered with a hangup only once the IM refused the cancel (the ledger of late accepts, handed
// from the call to the line; Tencent's callee got CALL_END twice): 54,762 bytes (+378), 181.5 KB. Raised to 53.5 KB.
// The reviews of 2026-12-04 afternoon (what trtc-calling-js's apps rely on: off() by callback, a listener's
// this, accept()/reject() with nothing ringing settled as nothing, what login/call/groupCall/accept/reject
// resolve with; the view read again before each event and frozen all the way down; config validated):
// 55,194 bytes (+432), 182.9 KB. Raised to 54.0 KB.
// Their review (accept() answers only the invitation that rang when it was asked, commands sent from a listener
// once the machines' step is over, config durations at most a day, groupCall's data in a live group call):
// 55,356 bytes (+162), 183.3 KB. Raised to 54.1 KB.
// Its review (a command for a call that ended in the same step settled by the line, no longer sent later;
// off() with a falsy context): 55,412 bytes (+56), 183.5 KB. Raised to 54.2 KB. The facade's commands in a class of
// their own (src/commands.ts, to keep TRTCCalling.ts under 500 lines): 55,491 bytes (+79), 9 under the budget.
// A capture for a command the line refused, or for an accept() that found nothing ringing, released at once (a dial
// refused as an invitation rang during the permission query left the camera on for 15 s): 55,631 bytes (+140),
// 183.9 KB. Raised to 54.4 KB.
// call() and groupCall() through a group wait for the IM to take their invitation and reject when it could not (they
// resolved with code 0 for a call that had ended); no listener hears an event after destroy(): 55,804 bytes (+173),
// 184.5 KB. Raised to 54.6 KB.
// A dial whose invitation the IM refused says ERROR once (the cancel sent after it, refused as well, said it again):
// 55,930 bytes (+126), 185.1 KB. Raised to 54.7 KB.
// CALL_TYPE as trtc-calling-js's enum (UNKNOWN, the reverse mapping); a hangup() cancels a dial still pending (the
// callee rang for a call its caller had cancelled): 56,117 bytes (+187), 185.6 KB. Raised to 54.9 KB.
// login() again as the same user resolves, groupID null is no group, the stop methods without an element (the API
// parity review): 56,226 bytes (+109), 186.0 KB. Raised to 55.0 KB.
// Their review: a hangup() the line refuses, or one in a CALL_END listener, cancels no dial; a repeated login with
// another userSig refused; ERROR once only where the invitation's refusal was told: 56,354 bytes (+128), 186.4 KB.
// Raised to 55.1 KB.
// The final review: no hangup() from an event's listener, nor one finding no call to end, cancels a redial made
// during the last call's exit; a login() from KICKED_OUT while a logout() waits refused: 56,408 bytes (+54),
// 186.5 KB. Raised to 55.2 KB.
// Every event told through the commands (a hangup() in a DEVICED_UPDATED listener cancels no dial): 56,416 bytes (+8).
// Errors keep their cause (the port's error through the machines to CallingError.cause and ERROR's cause, getUserMedia's
// and the server's refusal under the room's errors): 56,497 bytes (+80), 186.6 KB minified. Raised by those 80 bytes.
// A command keeps the sends of the invitations it sends, and only those (a dial asked for its one among the newest
// 8 sends kept, too few for a group call's): 56,507 bytes (+10), 186.6 KB.
// groupCall() without an IM group waits for each invitation's send: data with each invitee's code and error, rejects
// when none went (it resolved with code 0 for a call that had ended), after the refused ones' NO_RESP; groupCall() in
// a live call names the invitation a user already in it has: 56,733 bytes (+226), 187.1 KB. Raised by those 226 bytes.
// Its review: the wait ends with the dial's own call (not the line's next one), destroy() settles it at once, the device
// lists' ERROR has the room's error as its cause: 56,833 bytes (+100), 187.4 KB. Raised by those 100 bytes.
// destroy() while the devices are asked for rejects at once and releases a capture that lands after: 56,860 bytes
// (+27), within the budget.
// A 2805 keeps the socket's failure or the server's refusal as its cause, and the room lost with the connection the
// connection's error: 56,890 bytes (+30), 187.5 KB, within the budget.
// groupCall() and inviteUser() resolve with data in every case (a live call through an IM group had none, inviteUser()
// nothing): 56,863 bytes (-27), 187.5 KB.
// An inspector that throws is caught and told once on the console (it stopped the line's mailbox): 56,914 bytes
// (+51), 187.6 KB, 16 under the budget.
// A backend error or a listener's exception whose message getter or toString throws is described, not read blindly
// (the bridge lost the signal): 56,916 bytes (+2), 187.5 KB, 14 under the budget.
// Their review (a store subscriber's ERROR names what it threw as String() does again; the inspector's copy cuts
// cycles, in headless-calling/inspect, outside this bundle): 56,915 bytes (-1), 15 under the budget.
// A login() waits for a logout under way (the stale logout ended the new session) and is abandoned by a logout() or
// destroy() meanwhile; the keepalive its own module (adapters/ws/keepalive.ts: about 80 of these bytes, to keep
// WsConnection.ts under 500 lines); an invitation naming only a string room (TUICallEngine's) is refused, not rung
// with room 0: 57,086 bytes (+171), 188.1 KB. Raised by those 171 bytes.
// A room being left is not entered again on a reconnection: 57,099 bytes (+13), within the budget.
// What is left of a room enter once a newer one is asked for is not passed on (a stale enter's failure ended the next
// call, a join of the same room, while the server had it in the room): 57,155 bytes (+56), 188.2 KB. Raised by 56.
// A room the server kept a resumed session in, that the room port is neither in, entering nor leaving, is left on the
// reconnection (an exit that timed out while the connection was down left a ghost): 57,190 bytes (+35). Raised by 35.
// An enter under way across a resumed reconnection takes the session's member list, not the reply cache's first answer
// (a member who entered meanwhile was never seen), and drops who came and went before the drop: 57,224 bytes (+34).
// A socket not logged in 15 s after its dial is given up (`loginTimeoutMs`: a login lost on a socket gone half-open as
// it opened left a reconnection waiting for ever, an app's login() never settled): 57,277 bytes (+53).
// The review of the last four (a new session's enter takes no earlier resumption's member list, a kept room is left
// while another is being left, an exit asked at once only for the newest enter, a preset kept for an enter waiting its
// turn): 57,344 bytes (+67), 188.8 KB. Raised by 67.
// A refused room claim ends the dial also while its enter waits behind the last call's exit: 57,359 bytes (+15).
// A room refusal `deviceInRoom` keeps its code (-1402), so the device that lost a race of accepts ends answeredElsewhere
// instead of telling ERROR 65535: 57,378 bytes (+19). Raised by 20.
// A group caller's hang-up with invitees still ringing tells the IM group they will not come (a caller's TIMEOUT
// notice: a TUICallEngine member left alone in the room waited for them for ever): 57,417 bytes (+39). Raised by 40.
// A logout waits at most 5 s for the server's answer (a login() behind it waited 30 s on a socket gone half-open):
// 57,453 bytes (+36). Raised by 40.
// The review of those two: the withdrawal notice goes C2C to each in the call, naming the group (to the group, a
// trtc-calling-js invitee busy in another call ended that call), and an unanswered logout lets its socket go as dead
// after 5 s instead of failing what it held (a hang-up's CANCEL was lost): 57,539 bytes (+86). Raised by 80.
// The second review: messages that come while logging out are not passed on (a resumed session's went to the next
// user's line), the bridge takes that notice C2C from its call's inviter, and a timeout naming us ends our ringing only
// from our inviter or our own device (anyone who knew the inviteID could end it): 57,574 bytes (+35). Raised by 40.
// An adversarial review's client findings: the room's connections answer each member's offers within a budget and
// pace what they send (members streaming offers spent the victim's rate at the server, which closed it), and the glare
// rules hold for a caller only, their decline budgeted (a ringing callee took an inviter naming herself for the invitee
// of a dial and declined her every invitation unbudgeted): 57,793 bytes (+217), 190.2 KB. Raised by 220.
// The review of those: what the connections send waits its turn in each member's line instead of being dropped (a user
// joining a group call of 12 lost descriptions for good past 100 sends), an offer past its budget waits instead of being
// ignored: 58,115 bytes (+322), 191.5 KB. Raised by 330.
// The second review: relays go only while the connection has room at the server for its other frames (the room's
// 40 a second and the receipts of a stream of messages went past 50 together), counted by the connection's sockets
// (adapters/ws/outRate.ts); an answer to our offer held behind a deferred offer is applied: 58,379 bytes (+264), 192.1 KB.
// Raised by 270.
// A relay past the server's relay limit (16 KiB, a strike) is not sent: an offer crafted for a huge answer had the
// server close us: 58,452 bytes (+73), 192.3 KB. Raised by 80.
// The client paces under the limits the server's `loggedIn` says (its rate model, the room's pace and largest relay,
// the receipts' spacing): a server started with `--rate 20` closed a user joining a group call of 12: 58,646 bytes
// (+194), 192.9 KB. Raised by 200.
// Many devices: an answer names its invitation's inviter, and the call's guards check it (a group member could end
// a user's ringing with her own invitation under the call's inviteID); the review of the pacing under the server's
// limits: a relay's frame measured against its maxFrameBytes, a whole frame left beside the reserve: 58,752 bytes
// (+106), 193.4 KB. Raised by 110.
// An element id naming no element is the app's parameter: `InvalidParameterError` (-1202) naming the method, not
// 65535; a local view asked for before the capture is refused then, not skipped: 58,862 bytes (+110), 193.7 KB.
// Raised by 110.
// A careless app's review: parameters that cannot be read (a getter or Proxy trap that throws) are bad parameters,
// an async listener's rejection is told as ERROR, payloads' lists are copies, subscribe() checks its listener and on()
// after destroy() keeps nothing: 59,103 bytes (+241), 194.4 KB. Raised by 250.
// Its review: the rejection told inside the facade's teller (a hangup() in its ERROR listener cancels no dial), not
// told again when ERROR carried its cause; a local view before the capture waits for its element again: 59,188 bytes
// (+85), 194.6 KB. Raised by 90.
// destroy() tells the CALL_END of a call whose hangup() resolved (`await hangup(); destroy()` lost it): 59,245 bytes
// (+57), 194.8 KB. Raised by 60. Its review: a CALL_END listener's commands inside destroy() refused but a clean-up
// hangup(): 59,275 bytes (+30), 194.9 KB, within that.
// The client crash audit: an app's async or throwing callbacks handled (onDropped, subscribe(), the feeds' listeners,
// the reconnect policy, the inspector, onListenerError): 59,503 bytes (+212 over 59,291), 195.6 KB. Raised by 210.
// The invitee and member actors end in terminal states, not final ones: 59,504 bytes (+1), within that.
// A logout whose socket is lost done here after 5 s (a login() behind it waited 30 s with the server unreachable), what
// releasing the devices captured after destroy() throws told on the console (an unhandled rejection), the presence list
// merged with a Set and isOnline() by one (quadratic in the users online): 59,638 bytes (+134 over 59,504), 196.0 KB
// minified. Raised by 130.
// TURN servers from the embedded server (`--turn-urls`): the login's and the pong's credentials read, renewed by the
// keepalive once half spent, given to every peer connection with the app's own; `iceTransportPolicy` ('relay'):
// 59,836 bytes (+198), 196.5 KB minified. Raised by 200.
// A member who left a group call and came back is seen again (a gone member actor, terminal since the week's change,
// took the news of her return and ignored it): 59,847 bytes (+11 on 59,836), 196.5 KB. Raised by 10.
// The TURN review (2026-12-06): the renewal on the server's clock, the credentials dropped with the login, each ICE
// restart (ours or the member's) gathering with the fresh set (`setConfiguration`): 59,896 bytes (+49 over 59,847), 196.6 KB.
// Raised by 50.
// Tencent's current web engine, call-engine-js 3.3.4, writes `call_end: 0` into its invites: read as invitations when
// they carry a call cmd (every call of it was read as a hangup, 2026-12-06 night): 59,997 bytes (+35 over 59,962),
// 196.9 KB. Raised by 40. The rule made "any cmd" (a switch request beside `call_end: 0` ended the call): 59,984 bytes.
// An invitation settled while its invitee was away rings nothing at login (the client holds a login's backlog until the
// server's `backlog` mark, `ws/backlog.ts`, and drops what settled, the rule Tencent's replay had, `settledInvitations.ts`):
// 60,651 bytes (+634 over 60,017, the figure at 39e7e41, already 5 over the budget), 198.8 KB minified. Raised by 640.
// An IM group call's withdrawal through the group (and, where an invitee answered busy, C2C naming the others
// still ringing) and the timeout notice in place of a CANCEL once someone answered (2026-12-07): 60,699 bytes
// (+48), 198.9 KB minified. Raised by 50.
// Each message held before the backlog's mark told whatever the one before threw (an app's onListenerError that
// rethrows left the rest untold and unconfirmed, every later receipt held back): 60,727 bytes (+28), 199.0 KB. Raised by 30.
// The caller's no-answer notice C2C to the invitee and those in the call where an invitee answered busy (a
// trtc-calling-js busy elsewhere ended its other call on the group's): 60,762 bytes (+35), 199.1 KB. Raised by 40.
// The API-parity audit of 2026-12-07: off(name, null) as off(name) (+3), and the constructor's clock, inspect and
// onDropped checked (a bad one threw a bare TypeError later, or was ignored) (+132): 60,897 bytes. Raised by 135.
// The client picks a server frame's schema by its type, and a request's before sending it (valibot's variant made
// an issue object for each option whose type did not match: 15 µs against 0.7 µs a relayed frame): 61,038 bytes
// (+130 over 60,908). Raised by 130.
// Its leftovers: accept()/reject() from the KICKED_OUT listener refused (+8, within the budget: 60,916 bytes); an
// SDKAppID past 2^32-1 refused (+30): 60,946 bytes. Raised by 30. SDK_READY's payload { name: 'ts_im_ready' }, as
// trtc-calling-js's (+12): 60,958 bytes. Raised by 12. A remote view asked for before its user is in the call played
// once the user enters (PendingViews), either view with no call resolving (+191): 61,149 bytes. Raised by 191.
// Its review: a view remembered while an invitation rang is that call's (an unanswered call tells no call.ended, and
// the view played in the next call) (+51 over 61,270): 61,321 bytes. Raised by 51.
// A remote view waiting for its user whose element is gone when the user enters is skipped, nothing told, as a local
// view waiting for the capture is (it was told as ERROR) (+8 over 61,317): 61,325 bytes. Raised by 8.
// A callee whose accept crosses its caller's cancel ends only when nobody but the caller is in the room with it (a
// group caller leaving as a member came in ended that member, and the others with it) (+50 over 61,317, measured
// alternately on one machine): 61,367 bytes, 205,907 minified. Raised by 50.
// Its review: such a cancel that names the others in the room too (an IM group's CANCEL of the whole call, their
// accepts crossing it as ours did) ends the call as before (+8 over 61,376, the figure after both changes above, from
// dist): 61,384 bytes, 206,023 minified. Raised by 8.
// And an IM group caller's TIMEOUT, its withdrawal once someone answered, crossing an accept leaves the callee with
// the others in the room as the CANCEL does (+10 over 61,384): 61,394 bytes, 206,083 minified. Raised by 10.
// The call machine's setup() moved to machines/callMachineSetup.ts, a pure move (+6: the setup's own name and its
// createMachine call): 61,400 bytes, 206,089 minified, within the budget.
// A sibling device's TIMEOUT or REJECT crossing our ACCEPT leaves the call to the caller (+1: 61,401). A call
// the last invitee's answer leaves with nobody ends with that answer's reason, not `hangup` (+59): 61,460 bytes,
// 206,244 minified. Raised by 60.
// A group caller with a joinInGroupCall() joiner in the room is connected, not still dialling (its invitees' last
// no-answer ended the call under the joiner) (+16): 61,476 bytes. Raised by 16.
// Many devices over Tencent IM: our caller answers with a HANGUP a late ACCEPT from an invitee whose own REJECT or
// TIMEOUT ended the call (another device of theirs accepted as one declined, came into the room after the caller
// left, and sat there alone for 30 s): the decliners noted in the late-accept ledger (+89): 61,549 bytes, 206,542
// minified. Raised by 90.
// A call someone answered, left with nobody as an invitee's invitation was refused, waits for that invitee's NO_RESP
// (a turn later) and ends on it, its length to the refusal (+49): 61,598 bytes, 206,672 minified. Raised by 50.
// The three together (measured apart from one base: +16, +89, +49): 61,627 bytes, 5 over the sum. Raised by 5.
// Its review: a group caller whose joiner left ends on its last invitee's no-answer, as when an invitee who answered
// had left (it waited for the alone timer) (+15): 61,642 bytes, 206,790 minified. Raised by 15.
// And a user invited again after its NO_RESP leaves the list of those told it, so that its new invitation's NO_RESP is
// waited for by a call left with nobody (it ended at once, `hangup`) (+29): 61,671 bytes, 206,863 minified. Raised by 30.
// A group caller takes an invitee whose own REJECT, busy answer or TIMEOUT another device of theirs overruled (its ACCEPT,
// or its media in the room; Tencent IM) as having answered, where it kept them declined in the room (+175): 61,846 bytes,
// 207,568 minified. Raised by 175.
// A login's backlog past the window keeps its invitations not settled yet held, unconfirmed (a receipt's `except`), across
// its pages until what settles them comes, at most half the window of them (+457): 62,303 bytes, 208,882 minified. Raised by 457.
// Its review: a resumed connection's receipt names only its own copies of those held invitations, not the dropped
// connection's too (eight drops took it past the server's 1,024) (+28): 62,331 bytes, 208,994 minified. Raised by 28.
// And the inbox forgets only ids of messages taken past its 1,024: an invitation held over five pages was forgotten
// and told twice when a resumed connection handed it again (+31): 62,362 bytes, 209,082 minified. Raised by 31.
// And a repeated more: true that brought nothing new (the server's window still full) judges nothing: it told the
// oldest invitation held, which rang, then stopped (+22): 62,384 bytes, 209,158 minified. Raised by 22.
// And WsConnection.ts under 500 lines: a message's delivery and the writing of requests around it in a class of its
// own (adapters/ws/delivery.ts; its constructor and the calls through it, +86): 62,462 bytes, 209,386 minified. Raised by 90.
const BUDGET_BYTES = 55.2 * 1024 + 80 + 226 + 100 + 171 + 56 + 35 + 34 + 53 + 67 + 15 + 20 + 40 + 40 + 80 + 40 + 220 + 330 + 270 + 80 + 200 + 110 + 110 + 250 + 90 + 60 + 210 + 130 + 200 + 10 + 50 + 70 + 40 + 640 + 50 + 30 + 40 + 135 + 10 + 130 + 30 + 12 + 191 + 51 + 8 + 50 + 8 + 10 + 60 + 16 + 90 + 50 + 5 + 15 + 30 + 175 + 457 + 28 + 31 + 22 + 90;

/** Modules of the package that a minimal app must never carry. */
const NEVER_IN_THE_BROWSER_PATH = [
  /^adapters\/tencent\//,
  /^adapters\/memory\//,
  /^src\/(tencent|testing|inspect|capture|statechart)\.ts$/,
  /^server\//,
  /^bench\//,
  /^test\//,
];

describe('bundle size of the minimal app', () => {
  let fromDist: BundleSize;
  let fromSrc: BundleSize;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/embedded.js'))) throw new Error('no dist/: run npm run build first (npm test does)');
    fromDist = await measureMinimalApp(ROOT, 'dist');
    fromSrc = await measureMinimalApp(ROOT, 'src');
  }, 60_000);

  it(`TRTCCalling + webrtcBackend from the built package, minified and gzipped, fits ${kb(BUDGET_BYTES)}`, () => {
    console.log(`minimal app: ${kb(fromDist.minified)} minified, ${kb(fromDist.gzipped)} gzipped (budget ${kb(BUDGET_BYTES)})`);
    expect(Object.keys(fromDist.inputs).some((path) => path.startsWith('dist/'))).toBe(true);
    expect(fromDist.gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('it carries our code, xstate and valibot only: no backend SDK, inspector or other package', () => {
    expect(fromDist.minifiedBy.other).toBe(0);
    expect(fromDist.minifiedBy.xstate).toBeGreaterThan(0);
    expect(fromDist.minifiedBy.valibot).toBeGreaterThan(0);
    const packages = new Set(Object.keys(fromDist.inputs).flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? []));
    expect([...packages].sort()).toEqual(['valibot', 'xstate']);
  });

  it('none of the tencent backend, the memory network, the testing and inspector subpaths or the server reaches it', () => {
    const files = Object.keys(fromSrc.inputs).filter((path) => !path.startsWith('node_modules/'));
    expect(files).toContain('src/TRTCCalling.ts');
    expect(files).toContain('adapters/webrtc/webrtcBackend.ts');
    expect(files.filter((path) => NEVER_IN_THE_BROWSER_PATH.some((pattern) => pattern.test(path)))).toEqual([]);
  });
});
