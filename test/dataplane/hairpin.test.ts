// The hairpin test as data: what the ephemeral container tries, and the verdict from its lines.
import { describe, expect, it } from '@jest/globals';
import { hairpinFindings, hairpinSummary, interpretHairpin, planHairpin } from '../../src/dataplane/hairpin.js';
import { parseTarget, planConnectivity } from '../../src/probes/plan.js';
import { fixtureSnapshot, type K8sObject } from '../support/fixtures.js';
import { expectSafeFindings } from '../support/hostile.js';

const NS = 'shop';
const pods = ['cart-a', 'cart-b'].map((name, i) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels: { app: 'cart' } },
  spec: { nodeName: 'kdiag-node', containers: [{ name: 'c', image: 'backend', ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: `10.244.0.${20 + i}`, conditions: [{ type: 'Ready', status: 'True' }] },
}));
const objects: K8sObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'cart', namespace: NS },
    spec: { clusterIP: '10.96.7.7', selector: { app: 'cart' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  },
  ...pods,
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'cart-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'cart' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: pods.map((p) => ({
      addresses: [p.status.podIP],
      conditions: { ready: true },
      nodeName: 'kdiag-node',
      targetRef: { kind: 'Pod', name: p.metadata.name, namespace: NS },
    })),
  },
];
const snapshot = fixtureSnapshot(objects);
const targets = planConnectivity([parseTarget('cart', NS)], snapshot, { path: '/health' });
const body = (pod: string, ip: string) => `{"ip":"${ip}","name":"cart","pod":"${pod}"}`;
const log = (lines: string[]) => lines.map((l, i) => `KDIAGn hairpin ${i} ${l}`).join('\n') + `\nKDIAGn done ${lines.length}\n`;

describe('planHairpin', () => {
  it("plans the ClusterIP 12 times and the pod's own IP once, only for a pod that is a ready endpoint", () => {
    const [plan] = planHairpin(targets, snapshot, { namespace: NS, name: 'cart-a' });
    expect(plan!.urls).toEqual([...Array<string>(12).fill('http://10.96.7.7:80/health'), 'http://10.244.0.20:8080/health']);
    expect(planHairpin(targets, snapshot, { namespace: NS, name: 'other' })).toEqual([]);
  });
});

describe('interpretHairpin', () => {
  const plans = planHairpin(targets, snapshot, { namespace: NS, name: 'cart-a' });
  const other = `0 200 0.001 ${body('cart-b', '10.244.0.21')}`;
  const slowOther = `0 200 1.004 ${body('cart-b', '10.244.0.21')}`;
  const self = `0 200 0.001 ${body('cart-a', '10.244.0.20')}`;
  const timeout = '28 000 0 ';

  it('a try answered by the pod itself: hairpin works', () => {
    const [r] = interpretHairpin(log([self, other, ...Array<string>(10).fill(other), self]), 'n', plans);
    expect(r!.verdict).toBe('ok');
    expect(hairpinFindings([r!])).toEqual([]);
  });

  it('the tries sent back to the pod time out, the others answer, its own IP answers: KD5044', () => {
    const [r] = interpretHairpin(log([timeout, other, timeout, ...Array<string>(9).fill(other), self]), 'n', plans);
    expect(r!.verdict).toBe('failed');
    expect(hairpinSummary(r!)).toBe('12 tries of the ClusterIP from inside cart-a: 0 answered by itself, 10 by other pods, 2 failed; its own IP answers');
    const findings = hairpinFindings([r!]);
    expect(findings.map((f) => f.message)).toEqual([
      'cart: pod cart-a cannot reach itself through the Service (hairpin): 12 tries of 10.96.7.7:80, none answered by the pod itself; 2 failed; answers came from cart-b',
    ]);
    expectSafeFindings(findings);
  });

  it('the lost SYN is retransmitted and translated afresh to another pod: slow tries, none by itself: KD5044', () => {
    const [r] = interpretHairpin(log([slowOther, other, slowOther, slowOther, ...Array<string>(8).fill(other), self]), 'n', plans);
    expect(r!.verdict).toBe('failed');
    expect(hairpinSummary(r!)).toBe(
      '12 tries of the ClusterIP from inside cart-a: 0 answered by itself, 12 by other pods (3 only after a SYN retransmission), 0 failed; its own IP answers',
    );
    expect(hairpinFindings([r!])[0]!.message).toContain('none answered by the pod itself; 0 failed, 3 connected only after a SYN retransmission');
  });

  it('no try reached the pod and none failed: not exercised, no finding', () => {
    const [r] = interpretHairpin(log([...Array<string>(12).fill(other), self]), 'n', plans);
    expect(r!.verdict).toBe('not-exercised');
  });

  it('the pod does not answer on its own IP either: not a hairpin question', () => {
    const [r] = interpretHairpin(log([...Array<string>(12).fill(timeout), '7 000 0 ']), 'n', plans);
    expect(r!.verdict).toBe('pod-not-serving');
    expect(hairpinFindings([r!])).toEqual([]);
  });
});
