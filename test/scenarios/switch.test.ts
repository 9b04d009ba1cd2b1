/**
 * Audio/video switching (spec 2.6) over the memory network and over the embedded server.
 */
import { describeSwitchScenarios } from './switchScenarios';
import { makeEmbeddedWorld } from '../support/embeddedWorld';
import { memoryWorld } from '../support/world';

describeSwitchScenarios('the memory backend', memoryWorld);
describeSwitchScenarios('the embedded server', () => makeEmbeddedWorld());
