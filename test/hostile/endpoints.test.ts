import { describe } from '@jest/globals';
import { endpointScenarios, serviceTypeScenarios } from './scenarios/endpoints.js';
import { describeHostile } from './scenarios/describe.js';

describe('hostile input: endpoints', () => describeHostile(endpointScenarios));
describe('hostile input: service types', () => describeHostile(serviceTypeScenarios));
