// The JSON contract: every command's -o json validates against schema/report.schema.json,
// and every finding's code and check agree with the catalogue.
import { describe, expect, it } from '@jest/globals';
import { expectValidReport, validateReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const production = loadFixture('production.yaml');

describe('JSON contract', () => {
  it.each([['endpoints'], ['services']])('kdiag %s -o json matches the schema', async (command) => {
    fakeApi(production);
    const { stdout } = await kdiag([command, '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    expectValidReport(JSON.parse(stdout));
  });

  it('rejects a finding without a fix', () => {
    const bad = {
      apiVersion: 'kdiag/v1',
      kind: 'EndpointsReport',
      findings: [{ code: 'KD1001', check: 'endpoints', severity: 'error', object: { kind: 'Service', name: 'a' }, message: 'm', cause: 'c' }],
    };
    expect(validateReport(bad)).toBe(false);
  });
});
