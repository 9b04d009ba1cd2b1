/**
 * The shared call scenarios over the embedded backend: the real server on a free port, real
 * WebSocket clients, one simulated clock, a lock-step network (test/support/embeddedWorld.ts).
 */
import { describeCallScenarios } from './callScenarios';
import { makeEmbeddedWorld } from '../support/embeddedWorld';

describeCallScenarios('the embedded server', () => makeEmbeddedWorld());
