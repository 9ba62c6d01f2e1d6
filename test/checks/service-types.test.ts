import { describe, expect, it } from '@jest/globals';
import { looksLikeDevNamespace, serviceTypesCheck } from '../../src/checks/service-types.js';
import { fixtureSnapshot, loadFixture, type K8sObject } from '../support/fixtures.js';

const production = loadFixture('production.yaml');

const svc = (ns: string, name: string, spec: object, status: object = {}, created = '2026-01-01T00:00:00Z'): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, creationTimestamp: created },
  spec,
  status,
});
const run = (objs: K8sObject[]) =>
  serviceTypesCheck
    .run(fixtureSnapshot(objs), {})
    .map((f) => `${f.object.name}:${f.code}:${f.severity}`)
    .sort();

describe('service-types check', () => {
  it('reports the production fixture: NodePort, pending LoadBalancer, named targetPort', () => {
    expect(run(production)).toEqual(['metrics-service:KD2005:warning', 'public-lb:KD2002:error', 'web-nodeport:KD2001:warning']);
  });

  it('accepts ClusterIP, ExternalName, and NodePort in dev/test namespaces', () => {
    expect(
      run([
        svc('production', 'a', { type: 'ClusterIP', ports: [{ port: 80 }] }),
        svc('production', 'b', { type: 'ExternalName', externalName: 'db.example' }),
        svc('dev', 'c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
        svc('team-a-test', 'd', { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] }),
      ]),
    ).toEqual([]);
  });

  it('knows dev/test namespaces by name or environment label', () => {
    expect(looksLikeDevNamespace('dev')).toBe(true);
    expect(looksLikeDevNamespace('payments-qa')).toBe(true);
    expect(looksLikeDevNamespace('sandbox2')).toBe(true);
    expect(looksLikeDevNamespace('production')).toBe(false);
    expect(looksLikeDevNamespace('devops')).toBe(false);
    expect(looksLikeDevNamespace('payments', { metadata: { name: 'payments', labels: { environment: 'test' } } })).toBe(true);
  });

  it('gives a young LoadBalancer a grace period (info), then reports it (error)', () => {
    const young = svc('prod', 'new-lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 5432 }] }, {}, '2026-11-25T11:59:00Z');
    expect(run([young])).toEqual(['new-lb:KD2006:info']);
    const old = svc('prod', 'old-lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 5432 }] });
    expect(run([old])).toEqual(['old-lb:KD2002:error']);
  });

  it('suggests one Ingress for several HTTP LoadBalancers in a namespace, and notes externalTrafficPolicy', () => {
    const addr = { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } };
    expect(
      run([
        svc('web', 'shop', { type: 'LoadBalancer', ports: [{ port: 443 }] }, addr),
        svc('web', 'blog', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 8000 }] }, addr),
        svc('web', 'dns', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 53, protocol: 'UDP' }] }, addr),
        svc('web', 'np', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }),
      ]),
    ).toEqual(['np:KD2001:warning', 'np:KD2004:info', 'shop:KD2004:info', 'web:KD2003:info']);
  });
});
