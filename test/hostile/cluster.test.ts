import { describe } from '@jest/globals';
import { clusterScenarios } from './scenarios/cluster.js';
import { describeHostile } from './scenarios/describe.js';

describe('hostile input: permissions and trace', () => describeHostile(clusterScenarios));
