/**
 * Inviting into and joining a group call in progress, over the memory network and the embedded
 * server (whose room grants admit a member of the call's IM group: test/server/grants.test.ts).
 */
import { describeInviteJoinScenarios } from './inviteJoinScenarios';
import { makeEmbeddedWorld } from '../support/embeddedWorld';
import { memoryWorld } from '../support/world';

describeInviteJoinScenarios('the memory backend', memoryWorld);
describeInviteJoinScenarios('the embedded server', () => makeEmbeddedWorld());

