// Output larger than a pipe's buffer (64 KiB) reaches the reader whole, also when kdiag ends
// with exit code 1 for its findings: oclif calls process.exit then, which cut queued output
// (`kdiag check -A -o json | jq` read JSON that stopped at a multiple of 64 KiB).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fakeApiServer, type FakeApiServer } from '../support/fake-api-server.js';
import type { K8sObject } from '../support/fixtures.js';
import { kdiagBinary } from '../support/run.js';

/** Services without selector or endpoints: one KD1006 each, with an EndpointSlice to fill in. */
const services: K8sObject[] = Array.from({ length: 400 }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: `legacy-${i}`, namespace: 'big' },
  spec: { clusterIP: `10.96.${Math.floor(i / 200)}.${i % 200}`, ports: [{ name: 'db', port: 5432, targetPort: 5432 }] },
}));

describe('kdiag writing to a pipe', () => {
  let server: FakeApiServer;

  beforeAll(async () => {
    server = await fakeApiServer([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big' } }, ...services]);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('endpoints -A -o json: every byte of a report far above 64 KiB, and exit code 1', async () => {
    const { stdout, code, stderr } = await kdiagBinary(['endpoints', '-A', '-o', 'json', '--kubeconfig', server.kubeconfig]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(stdout.length).toBeGreaterThan(4 * 65536);
    const report = JSON.parse(stdout) as { findings: { code: string }[] };
    expect(report.findings.filter((f) => f.code === 'KD1006')).toHaveLength(400);
  }, 120_000);
});
