// What the Gateway API loader asks discovery and reads for references: the groups backendRefs,
// allowedRoutes.kinds and parametersRefs name, their kinds (GET /apis/GROUP/VERSION, GET /api/v1),
// and each parametersRef's object (found, missing, refused). Nothing is asked for core Services.
import { describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { ClusterClient } from '../../src/cluster/client.js';
import { addDiscovery, referencedGroups } from '../../src/cluster/gateway.js';
import { emptyGatewayObjects, type GatewayObjects } from '../../src/gateway/types.js';
import { SERVER, testKubeconfig } from '../support/fake-api.js';

const resources = (groupVersion: string, list: [string, string, boolean][]) => ({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion,
  resources: list.map(([name, kind, namespaced]) => ({ name, kind, namespaced, singularName: '', verbs: ['get', 'list'] })),
});

function objects(): GatewayObjects {
  return emptyGatewayObjects({
    gatewayClasses: [
      {
        metadata: { name: 'a' },
        spec: { controllerName: 'x/y', parametersRef: { group: 'example.net', kind: 'ProxyConfig', name: 'big', namespace: 'infra' } },
      },
      { metadata: { name: 'b' }, spec: { controllerName: 'x/y', parametersRef: { group: '', kind: 'ConfigMap', name: 'gone', namespace: 'infra' } } },
    ],
    gateways: [
      {
        metadata: { name: 'gw', namespace: 'infra' },
        spec: {
          infrastructure: { parametersRef: { group: 'example.net', kind: 'ProxyConfig', name: 'secret-one' } },
          listeners: [{ name: 'l', port: 80, protocol: 'HTTP', allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }, { group: 'absent.example', kind: 'X' }] } }],
        },
      },
    ],
    httpRoutes: [
      {
        metadata: { name: 'r', namespace: 'infra' },
        spec: {
          rules: [
            {
              backendRefs: [
                { name: 'svc', port: 80 },
                { group: 'example.net', kind: 'Bucket', name: 'b' },
              ],
            },
          ],
        },
      },
    ],
  });
}

describe('Gateway API discovery for references', () => {
  it('lists the groups that references name, and none for core Services or Gateway API route kinds', () => {
    expect(referencedGroups(objects())).toEqual(['', 'absent.example', 'example.net']);
    const plain = emptyGatewayObjects({ httpRoutes: [{ metadata: { name: 'r' }, spec: { rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] } }] });
    expect(referencedGroups(plain)).toEqual([]);
  });

  it('reads the kinds of served groups, skips unserved ones, and looks each parametersRef up: found, missing, refused', async () => {
    const scope = nock(SERVER)
      .get('/apis')
      .reply(200, { kind: 'APIGroupList', groups: [{ name: 'example.net', versions: [{ groupVersion: 'example.net/v1', version: 'v1' }] }] })
      .get('/api/v1')
      .reply(
        200,
        resources('v1', [
          ['configmaps', 'ConfigMap', true],
          ['services', 'Service', true],
          ['services/status', 'Service', true],
        ]),
      )
      .get('/apis/example.net/v1')
      .reply(
        200,
        resources('example.net/v1', [
          ['proxyconfigs', 'ProxyConfig', true],
          ['buckets', 'Bucket', true],
        ]),
      )
      .get('/apis/example.net/v1/namespaces/infra/proxyconfigs/big')
      .reply(200, { apiVersion: 'example.net/v1', kind: 'ProxyConfig', metadata: { name: 'big', namespace: 'infra' } })
      .get('/api/v1/namespaces/infra/configmaps/gone')
      .reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "gone" not found' })
      .get('/apis/example.net/v1/namespaces/infra/proxyconfigs/secret-one')
      .reply(403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'proxyconfigs is forbidden' });
    const o = objects();
    await addDiscovery(new ClusterClient({ kubeconfig: testKubeconfig(), maxRetries: 0 }), o);
    expect(scope.isDone()).toBe(true);
    expect(o.servedGroups).toEqual(['example.net']);
    expect(Object.keys(o.servedKinds ?? {}).sort()).toEqual(['', 'example.net']);
    expect(o.servedKinds!['']!.map((k) => k.kind)).toEqual(['ConfigMap', 'Service']);
    expect(o.parameters).toEqual({
      'example.net/ProxyConfig/infra/big': { status: 'found' },
      '/ConfigMap/infra/gone': { status: 'missing' },
      'example.net/ProxyConfig/infra/secret-one': { status: 'unreadable', message: expect.stringContaining('403 Forbidden') },
    });
  });
});
