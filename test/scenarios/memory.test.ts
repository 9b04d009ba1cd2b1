import { describeCallScenarios } from './callScenarios';
import { memoryWorld } from '../support/world';

describeCallScenarios('the memory backend', memoryWorld);
