// End-to-end tests wait for pods, rollouts and probes on a 2-core machine.
import { jest } from '@jest/globals';

jest.setTimeout(300_000);
