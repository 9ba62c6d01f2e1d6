// Every rule of the checks below has hostile coverage: the hostile scenarios make each of its codes
// fire (and the other hostile tests check those findings), or the code is listed here with the
// reason it cannot carry a value an object's author controls. A new code without either fails.
import { describe, expect, it } from '@jest/globals';
import { CODES, type Code } from '../../src/report/codes.js';
import { clusterScenarios } from './scenarios/cluster.js';
import { endpointScenarios, serviceTypeScenarios } from './scenarios/endpoints.js';
import { netpolScenarios } from './scenarios/netpol.js';
import { clusterDnsScenarios, connectivityScenarios, dnsScenarios } from './scenarios/probes.js';
import { HOSTILE_VALUES, type HostileScenario } from './scenarios/types.js';
import { dnsDepthScenarios } from './scenarios/dns-depth.js';

const SCENARIOS: HostileScenario[] = [
  ...endpointScenarios,
  ...serviceTypeScenarios,
  ...netpolScenarios,
  ...dnsScenarios,
  ...dnsDepthScenarios,
  ...clusterDnsScenarios,
  ...connectivityScenarios,
  ...clusterScenarios,
];

/** The checks whose codes this suite covers (Ingress and Gateway rules have their own). */
const CHECKS = new Set(['endpoints', 'service-types', 'netpol', 'dns', 'connectivity', 'cluster-dns', 'permissions', 'probes', 'probe', 'trace', 'check']);

const CANNOT_CARRY: Partial<Record<Code, string>> = {
  KD5020: "a failure of kdiag's own probe pod (ProbeFailure), reported as an error message, not a finding with a fix",
  KD5021: "a failure of kdiag's own probe pod (ProbeFailure), reported as an error message, not a finding with a fix",
  KD5022: "a failure of kdiag's own probe pod (ProbeFailure), reported as an error message, not a finding with a fix",
  KD5023: "a failure of kdiag's own probe pod (ProbeFailure), reported as an error message, not a finding with a fix",
  KD5024: "a failure of kdiag's own probe pod (ProbeFailure), reported as an error message, not a finding with a fix",
  KD5025: "a failure of kdiag's own probe pod (ProbeFailure), reported as an error message, not a finding with a fix",
  KD6002: "names kdiag's own check id and a sanitised error; its fix is fixed text",
  KD4013: 'names only counts of cluster-scoped policies and the network plugin kdiag found; its fix is fixed text with no command',
  KD4014: 'names plugin policies by their API-validated names (DNS subdomains) only; its fix is fixed text with no command',
  KD6005: 'namespaces and Service names reach it only after parseTarget validated them as DNS labels (its fix comes from the builder)',
};

describe('hostile coverage', () => {
  it('makes every code of these checks fire on hostile values, except the ones that cannot carry them', async () => {
    const fired = new Set<string>();
    for (const s of SCENARIOS) for (const v of HOSTILE_VALUES) for (const f of await s.run(v)) fired.add(f.code);
    const owned = (Object.keys(CODES) as Code[]).filter((c) => CHECKS.has(CODES[c].check)).sort();
    expect(owned.filter((c) => !fired.has(c) && !CANNOT_CARRY[c])).toEqual([]);
    expect(owned.filter((c) => fired.has(c) && CANNOT_CARRY[c])).toEqual([]);
    expect(Object.keys(CANNOT_CARRY).filter((c) => !owned.includes(c as Code))).toEqual([]);
    expect(owned.filter((c) => fired.has(c)).length).toBe(owned.length - Object.keys(CANNOT_CARRY).length);
  });

  it('runs every scenario for every hostile and YAML-special value', () => {
    expect(HOSTILE_VALUES.length).toBeGreaterThanOrEqual(30);
    expect(SCENARIOS.every((s) => s.codes.length > 0)).toBe(true);
  });
});
