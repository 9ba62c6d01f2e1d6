import { describe, expect, it } from '@jest/globals';
import type { V1Secret } from '@kubernetes/client-node';
import { checkTlsSecret, nameCovers, wildcardRefusal, type TlsCheckInput } from '../../src/checks/ingress-tls.js';
import { certFor, tlsSecret } from './ingress-certs.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const good = certFor(['api.example.com'], NOW, -10, 365);
const wildcard = certFor(['*.example.com'], NOW, -10, 365);
const other = certFor(['other.example.com'], NOW, -10, 365);

function check(secret: object | undefined, hosts = ['api.example.com'], extra: Partial<TlsCheckInput> = {}) {
  return checkTlsSecret({
    namespace: 'production',
    ingress: 'api-ingress',
    secretName: 'api-tls-secret',
    secret: secret as V1Secret | undefined,
    hosts,
    now: NOW,
    warnDays: 14,
    ...extra,
  });
}
const codes = (r: ReturnType<typeof check>) => r.problems.map((p) => p.code);

describe('RFC 6125 name matching', () => {
  it.each([
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', '*.example.com', true],
    ['*.example.com', '*.b.example.com', false],
    ['API.example.com', 'api.EXAMPLE.com', true],
    ['*.com', 'example.com', false],
    ['api.example.com', 'www.example.com', false],
  ])('%s covers %s: %s', (name, host, expected) => {
    expect(nameCovers(name, host)).toBe(expected);
  });
});

// RFC 6125 §7.2 and the CA/Browser Forum rules: a wildcard must not sit directly under a
// top-level label or a public suffix, so clients refuse it even for a name one label deeper.
describe('wildcards under a top-level label or a public suffix', () => {
  it.each([
    ['*.org', 'second-example.org', false, 'directly under the top-level label "org"'],
    ['*.co.uk', 'example.co.uk', false, 'directly under the public suffix "co.uk"'],
    ['*.com.au', 'shop.com.au', false, 'directly under the public suffix "com.au"'],
    ['*.example.co.uk', 'api.example.co.uk', true, undefined],
    ['*.example.org', 'api.example.org', true, undefined],
  ])('RFC 6125 §7.2 "wildcard … under a public suffix": %s for %s covers: %s', (name, host, covers, why) => {
    expect(nameCovers(name, host)).toBe(covers);
    if (why) expect(wildcardRefusal(name)).toContain(why);
    else expect(wildcardRefusal(name)).toBeUndefined();
  });

  it('the KD3027 cause explains *.org by that rule, not by "exactly one label"', async () => {
    const cert = certFor(['*.org'], NOW, -10, 365);
    const r = check(tlsSecret('production', 'org-tls', cert), ['second-example.org']);
    const p = r.problems.find((x) => x.code === 'KD3027')!;
    expect(p.cause).toContain('wildcard directly under the top-level label "org"');
    expect(p.cause).not.toContain('exactly one label');
  });

  it('a deeper name under a normal wildcard still gets the one-label explanation', () => {
    const r = check(tlsSecret('production', 'w', wildcard), ['a.b.example.com']);
    expect(r.problems.find((x) => x.code === 'KD3027')!.cause).toContain('A wildcard covers exactly one label');
  });
});

describe('checkTlsSecret: valid', () => {
  it('accepts a current certificate for the host with its own key, and reports its dates and names', () => {
    const r = check(tlsSecret('production', 'api-tls-secret', good));
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(r.summary).toBe('ok (expires in 365 d)');
    expect(r.certificate?.dnsNames).toEqual(['api.example.com']);
    expect(r.certificate?.selfSigned).toBe(true);
  });

  it('accepts a wildcard certificate for a one-label host', () => {
    expect(check(tlsSecret('production', 'w', wildcard), ['api.example.com', 'www.example.com']).problems).toEqual([]);
  });

  it('never carries key material in its result', () => {
    const r = check(tlsSecret('production', 'api-tls-secret', good));
    const text = JSON.stringify(r);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(Buffer.from(good.key).toString('base64').slice(0, 40));
  });
});

describe('checkTlsSecret: invalid', () => {
  it('KD3024 expired', () => {
    const r = check(tlsSecret('production', 's', certFor(['api.example.com'], NOW, -100, -3)));
    expect(codes(r)).toEqual(['KD3024']);
    expect(r.summary).toBe('certificate expired 3 d ago');
  });

  it('KD3024/KD3025: a Secret replaced by hand without cert-manager; with cert-manager, what cmctl renew does as a kubectl command that can be dry-run', () => {
    const expired = tlsSecret('production', 'api-tls', certFor(['api.example.com'], NOW, -100, -3));
    const byHand = check(expired).problems[0]!;
    expect(byHand.fix).toBe(
      'Renew the certificate and update the Secret: kubectl -n production create secret tls api-tls-secret --cert=tls.crt --key=tls.key --dry-run=client -o yaml | kubectl apply -f -',
    );
    // cert-manager marks the Secrets it issues with their Certificate's name.
    const managed = { ...expired, metadata: { ...expired.metadata, annotations: { 'cert-manager.io/certificate-name': 'api-cert' } } };
    const renew = check(managed).problems[0]!;
    expect(renew.code).toBe('KD3024');
    // A Secret cert-manager owns is not replaced by hand (cert-manager would overwrite it).
    expect(renew.fix).not.toContain('create secret tls');
    expect(renew.remediation!.commands.map((c) => c.argv)).toEqual([
      ['kubectl', '-n', 'production', 'describe', 'certificate', 'api-cert'],
      ['kubectl', 'apply', '--server-side', '--subresource=status', '--field-manager=kdiag', '--force-conflicts', '-f', '-'],
    ]);
    // The Issuing condition alone, applied to the status: the CRD keys conditions by type, so cert-manager's others stay.
    expect(renew.remediation!.commands[1]!.stdin).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'api-cert', namespace: 'production' },
      status: { conditions: [{ type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered' }] },
    });
    expect(renew.fix).toContain(
      "kubectl apply --server-side --subresource=status --field-manager=kdiag --force-conflicts -f - <<'EOF'\napiVersion: cert-manager.io/v1\nkind: Certificate\n",
    );
    const soon = { ...managed, data: tlsSecret('production', 'api-tls', certFor(['api.example.com'], NOW, -80, 10)).data };
    expect(check(soon).problems[0]!.remediation).toEqual(renew.remediation);
  });

  it('KD3026 not yet valid', () => {
    const r = check(tlsSecret('production', 's', certFor(['api.example.com'], NOW, 2, 300)));
    expect(codes(r)).toEqual(['KD3026']);
  });

  it('KD3025 expiring within --cert-warn-days, not beyond it', () => {
    const soon = tlsSecret('production', 's', certFor(['api.example.com'], NOW, -80, 10));
    const r = check(soon);
    expect(codes(r)).toEqual(['KD3025']);
    expect(r.status).toBe('expiring');
    expect(r.summary).toBe('expires in 10 d');
    expect(check(soon, undefined, { warnDays: 7 }).problems).toEqual([]);
  });

  it('KD3027 SAN mismatch, and a wildcard does not cover the apex or two labels', () => {
    const r = check(tlsSecret('production', 's', other));
    expect(codes(r)).toEqual(['KD3027']);
    expect(r.problems[0]!.cause).toContain('other.example.com');
    const w = check(tlsSecret('production', 's', wildcard), ['example.com', 'a.b.example.com', 'api.example.com']);
    expect(w.uncoveredHosts).toEqual(['example.com', 'a.b.example.com']);
  });

  it('KD3027 names a certificate without subjectAltName (CN ignored)', () => {
    const r = check(tlsSecret('production', 's', certFor([], NOW, -1, 100, 'api.example.com')));
    expect(codes(r)).toEqual(['KD3027']);
    expect(r.problems[0]!.cause).toContain('CN api.example.com is ignored');
  });

  it('KD3028 key mismatch and an unreadable key', () => {
    expect(codes(check(tlsSecret('production', 's', { crt: good.crt, key: other.key })))).toEqual(['KD3028']);
    const bad = check(tlsSecret('production', 's', { crt: good.crt, key: 'not a key' }));
    expect(codes(bad)).toEqual(['KD3028']);
    expect(bad.problems[0]!.message).toContain('cannot be read');
  });

  it('KD3020 missing, KD3022 missing keys, KD3023 unparseable, KD3021 wrong type', () => {
    expect(codes(check(undefined))).toEqual(['KD3020']);
    expect(codes(check(tlsSecret('production', 's', { crt: good.crt })))).toEqual(['KD3022']);
    expect(codes(check(tlsSecret('production', 's', { crt: 'garbage', key: good.key })))).toEqual(['KD3023']);
    const opaque = check(tlsSecret('production', 's', good, 'Opaque'));
    expect(codes(opaque)).toEqual(['KD3021']);
    expect(opaque.status).toBe('ok');
  });

  it('reads the leaf from a chain (first PEM block)', () => {
    const chain = { crt: good.crt + other.crt, key: good.key };
    expect(check(tlsSecret('production', 's', chain)).problems).toEqual([]);
  });
});
