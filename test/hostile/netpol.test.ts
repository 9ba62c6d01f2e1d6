import { describe } from '@jest/globals';
import { describeHostile } from './scenarios/describe.js';
import { netpolScenarios } from './scenarios/netpol.js';

describe('hostile input: NetworkPolicies', () => describeHostile(netpolScenarios));
