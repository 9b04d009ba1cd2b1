/**
 * The shared call scenarios (test/scenarios/callScenarios.ts) over the tencent backend on the
 * fake Tencent cloud, unchanged.
 *
 * The group scenario has Bob accept and Carol reject in the same instant and expects Bob's
 * answer (his media, then his ACCEPT, which the core sends once Bob is in the room) to reach
 * Alice before Carol's REJECT. That holds when entering a room and announcing its media takes
 * less than one IM hop, as in the memory network. The fake TRTC needs four hops (join, publish,
 * stream-added, subscribe), so this world runs the IM at 50 ms and TRTC at 10 ms per hop.
 */
import { describeCallScenarios } from '../scenarios/callScenarios';
import { describeInviteJoinScenarios } from '../scenarios/inviteJoinScenarios';
import { describeSwitchScenarios } from '../scenarios/switchScenarios';
import { tencentWorld } from './tencentWorld';

describeCallScenarios('tencent (fakes)', () => tencentWorld({ imLatency: 50, rtcLatency: 10 }));
describeSwitchScenarios('tencent (fakes)', () => tencentWorld({ imLatency: 50, rtcLatency: 10 }));
// TRTC's rooms are not guarded by the call's invitations (anyone with the room ID may enter).
describeInviteJoinScenarios('tencent (fakes)', () => tencentWorld({ imLatency: 50, rtcLatency: 10 }), false);
