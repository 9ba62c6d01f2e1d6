// Hostile input for every Gateway API rule: Gateway, listener, route, Service, Secret and
// class names and hostnames carrying values that would run a command, break YAML or drive
// the terminal if kdiag pasted them into a fix. For each value, objects on which every
// gateway code fires; each finding must pass expectSafeFindings.
import { describe, expect, it } from '@jest/globals';
import { analyzeGateways } from '../../src/gateway/analyze.js';
import { parametersKey } from '../../src/gateway/types.js';
import { CODES } from '../../src/report/codes.js';
import type { Finding } from '../../src/report/types.js';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { gatewayObjects, gatewaySnapshot } from '../gateway/objects.js';
import type { K8sObject } from '../support/fixtures.js';
import { expectSafeFindings, HOSTILE_STRINGS, YAML_SPECIAL } from '../support/hostile.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const OLD = '2026-01-01T00:00:00Z';
const GROUP = 'gateway.networking.k8s.io/v1';
const pairs = { expired: certFor(['api.example.com'], NOW, -60, -2), expiring: certFor(['api.example.com'], NOW, -60, 5) };

/** Every gateway code, except those listed with why they cannot carry a hostile value. */
const CANNOT_CARRY: Record<string, string> = {};
const GATEWAY_CODES = Object.keys(CODES).filter((c) => CODES[c as keyof typeof CODES].check === 'gateway' && !(c in CANNOT_CARRY));

const cond = (type: string, status: string, reason?: string, message?: string) => ({ type, status, reason, message });
const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), creationTimestamp: OLD });
const svc = (name: string, spec: object): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name, 'production'), spec });

function route(name: string, parentRefs: object[], rules: object[], status?: object, hostnames: string[] = ['a.example.com']): K8sObject {
  return { apiVersion: GROUP, kind: 'HTTPRoute', metadata: meta(name, 'production'), spec: { parentRefs, hostnames, rules }, ...(status ? { status } : {}) };
}

function objects(h: string): K8sObject[] {
  const gw = { name: `gw${h}`, namespace: 'infra' };
  const accepted = (reason = 'Accepted') => ({
    parents: [{ parentRef: { ...gw, sectionName: `http${h}` }, controllerName: `example.net/${h}`, conditions: [cond('Accepted', 'True', reason)] }],
  });
  const ok = [{ backendRefs: [{ name: `ext${h}`, port: 80 }] }];
  return [
    {
      apiVersion: GROUP,
      kind: 'GatewayClass',
      metadata: meta(`cls${h}`),
      spec: { controllerName: `example.net/${h}` },
      status: { conditions: [cond('Accepted', 'True', 'Accepted')] },
    },
    {
      apiVersion: GROUP,
      kind: 'GatewayClass',
      metadata: meta(`bad${h}`),
      spec: { controllerName: `example.net/${h}` },
      status: { conditions: [cond('Accepted', 'False', `Invalid${h}`, h)] },
    },
    {
      apiVersion: GROUP,
      kind: 'Gateway',
      metadata: meta(gw.name, 'infra'),
      spec: {
        gatewayClassName: `cls${h}`,
        listeners: [
          { name: `http${h}`, port: 80, protocol: 'HTTP', hostname: '*.example.com', allowedRoutes: { namespaces: { from: 'All' } } },
          {
            name: `https${h}`,
            port: 443,
            protocol: 'HTTPS',
            hostname: 'api.example.com',
            allowedRoutes: { namespaces: { from: 'All' } },
            tls: { certificateRefs: [{ name: `missing${h}` }, { name: `x${h}`, namespace: 'shared' }, { name: `expired${h}` }, { name: `expiring${h}` }] },
          },
          { name: `same${h}`, port: 8080, protocol: 'HTTP' },
          // KD7024 (protocol neither core nor domain-prefixed), KD7025 (certificateRef not a core Secret).
          { name: `odd${h}`, port: 9000, protocol: `HTTP2${h}` },
          { name: `tls${h}`, port: 9443, protocol: 'HTTPS', tls: { certificateRefs: [{ group: `g${h}.example`, kind: `Bundle${h}`, name: `c${h}` }] } },
          // KD7031: allowedRoutes.kinds naming a kind that is no route kind.
          { name: `kinds${h}`, port: 9080, protocol: 'HTTP', allowedRoutes: { kinds: [{ kind: `Bogus${h}` }] } },
        ],
      },
      status: {
        conditions: [cond('Accepted', 'True'), cond('Programmed', 'True')],
        listeners: [{ name: `http${h}`, conditions: [cond('Conflicted', 'True', `HostnameConflict${h}`, h)] }],
      },
    },
    { apiVersion: GROUP, kind: 'Gateway', metadata: meta(`g1${h}`, 'infra'), spec: { gatewayClassName: `missing${h}`, listeners: [] } },
    // KD7032: a class whose parameters' group is not served; KD7033 and KD7034: Gateway parameters missing, unreadable.
    {
      apiVersion: GROUP,
      kind: 'GatewayClass',
      metadata: meta(`params${h}`),
      spec: { controllerName: `example.net/${h}`, parametersRef: { group: `absent${h}.example`, kind: `Params${h}`, name: `p${h}` } },
    },
    {
      apiVersion: GROUP,
      kind: 'Gateway',
      metadata: meta(`g4${h}`, 'infra'),
      spec: { gatewayClassName: `cls${h}`, listeners: [], infrastructure: { parametersRef: { group: 'served.example', kind: `Cfg${h}`, name: `gone${h}` } } },
    },
    {
      apiVersion: GROUP,
      kind: 'Gateway',
      metadata: meta(`g5${h}`, 'infra'),
      spec: { gatewayClassName: `cls${h}`, listeners: [], infrastructure: { parametersRef: { group: 'served.example', kind: `Cfg${h}`, name: `hidden${h}` } } },
    },
    {
      apiVersion: GROUP,
      kind: 'Gateway',
      metadata: meta(`g2${h}`, 'infra'),
      spec: { gatewayClassName: `bad${h}`, listeners: [] },
      status: { conditions: [cond('Accepted', 'False', `Bad${h}`, h)] },
    },
    {
      apiVersion: GROUP,
      kind: 'Gateway',
      metadata: meta(`g3${h}`, 'infra'),
      spec: { gatewayClassName: `cls${h}`, listeners: [] },
      status: { addresses: [{ value: '192.0.2.1' }], conditions: [cond('Accepted', 'True'), cond('Programmed', 'False', `Pending${h}`, h)] },
    },
    tlsSecret('infra', `expired${h}`, pairs.expired),
    tlsSecret('infra', `expiring${h}`, pairs.expiring),
    svc(`named${h}`, { selector: { app: 'x' }, ports: [{ name: 'http', port: 80 }] }),
    svc(`svc${h}`, { selector: { app: 'none' }, ports: [{ port: 80 }] }),
    svc(`ext${h}`, { type: 'ExternalName', externalName: `${h}.example.org` }),
    // KD7011 (not Accepted), KD7015–KD7019 (backends).
    route(
      `r1${h}`,
      [{ ...gw, sectionName: `http${h}` }],
      [
        { backendRefs: [{ name: `ghost${h}`, port: 80 }] },
        { backendRefs: [{ name: `named${h}`, port: 9999 }] },
        { backendRefs: [{ name: `svc${h}`, port: 80 }] },
        { name: `w${h}`, backendRefs: [{ name: `ext${h}`, port: 80, weight: 0 }] },
        { backendRefs: [{ name: `s${h}`, namespace: 'shared', port: 80 }] },
      ],
      {
        parents: [
          { parentRef: { ...gw, sectionName: `http${h}` }, controllerName: `example.net/${h}`, conditions: [cond('Accepted', 'False', 'UnsupportedValue', h)] },
        ],
      },
    ),
    // KD7012: references not resolved, with no broken backend to explain it.
    route(`r2${h}`, [{ ...gw, sectionName: `http${h}` }], ok, {
      parents: [{ ...accepted().parents[0]!, conditions: [cond('Accepted', 'True'), cond('ResolvedRefs', 'False', 'RefNotPermitted', h)] }],
    }),
    // KD7013: a missing Gateway and a missing listener.
    route(
      `r3${h}`,
      [
        { name: `nope${h}`, namespace: 'infra' },
        { ...gw, sectionName: `nosuch${h}` },
      ],
      ok,
    ),
    // KD7020: the listener admits routes of its own namespace only.
    route(`r4${h}`, [{ ...gw, sectionName: `same${h}` }], ok),
    // KD7014: hostnames that meet no listener.
    route(`r5${h}`, [{ ...gw, sectionName: `http${h}` }], ok, accepted(), [`x${h}.other.org`]),
    // KD7021: no controller reported on it.
    route(`r6${h}`, [{ ...gw, sectionName: `http${h}` }], ok),
    // KD7026 (a group the cluster does not serve), KD7027 (an implementation-specific kind).
    route(
      `r7${h}`,
      [{ ...gw, sectionName: `http${h}` }],
      [
        { backendRefs: [{ group: `absent${h}.example`, kind: `Bucket${h}`, name: `b${h}`, port: 80 }] },
        { backendRefs: [{ group: 'served.example', kind: `Kind${h}`, name: `k${h}`, port: 80 }] },
      ],
      accepted(),
    ),
    // KD7030: an Ingress on ingress-nginx.
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: meta(`nginx${h}`), spec: { controller: 'k8s.io/ingress-nginx' } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(`ing${h}`, 'production'), spec: { ingressClassName: `nginx${h}` } },
  ] as K8sObject[];
}

function findingsFor(h: string): Finding[] {
  const all = objects(h);
  const found = analyzeGateways(
    gatewaySnapshot(all, { now: NOW }),
    gatewayObjects(all, {
      servedGroups: ['', 'gateway.networking.k8s.io', 'served.example'],
      servedKinds: {
        'served.example': [
          { kind: `Kind${h}`, plural: 'kinds', version: 'v1', namespaced: true },
          { kind: `Cfg${h}`, plural: 'cfgs', version: 'v1', namespaced: true },
        ],
      },
      parameters: {
        [parametersKey({ group: 'served.example', kind: `Cfg${h}`, name: `gone${h}` }, 'infra')]: { status: 'missing' },
        [parametersKey({ group: 'served.example', kind: `Cfg${h}`, name: `hidden${h}` }, 'infra')]: { status: 'unreadable', message: `forbidden ${h}` },
      },
    }),
    {},
  ).findings;
  const skipped = analyzeGateways(
    gatewaySnapshot(all, { now: NOW, unavailable: { tlssecrets: `secrets is forbidden ${h}` } }),
    gatewayObjects(all),
    {},
  ).findings;
  const forbidden = analyzeGateways(
    gatewaySnapshot([], { now: NOW }),
    gatewayObjects([], { unavailable: { reason: 'forbidden', message: `gateways is forbidden ${h}` } }),
    {},
  ).findings;
  return [...found, ...skipped.filter((f) => f.code === 'KD7023'), ...forbidden];
}

describe('Gateway API rules on hostile input', () => {
  for (const h of [...new Set([...HOSTILE_STRINGS, ...YAML_SPECIAL])]) {
    it(`every code fires and every fix is safe: ${JSON.stringify(h)}`, () => {
      const findings = findingsFor(h);
      expect([...new Set(findings.map((f) => f.code))].sort()).toEqual(GATEWAY_CODES.sort());
      expectSafeFindings(findings);
    }, 60_000);
  }
});
