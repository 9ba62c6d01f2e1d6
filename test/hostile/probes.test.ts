import { describe } from '@jest/globals';
import { describeHostile } from './scenarios/describe.js';
import { clusterDnsScenarios, connectivityScenarios, dnsScenarios } from './scenarios/probes.js';
import { dnsDepthScenarios } from './scenarios/dns-depth.js';

describe('hostile input: DNS probe interpretation', () => describeHostile(dnsScenarios));
describe('hostile input: cluster DNS check', () => describeHostile(clusterDnsScenarios));
describe('hostile input: connectivity probe interpretation', () => describeHostile(connectivityScenarios));
describe('hostile input: cluster DNS in depth', () => describeHostile(dnsDepthScenarios));
