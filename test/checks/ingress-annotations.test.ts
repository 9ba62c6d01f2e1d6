import { describe, expect, it } from '@jest/globals';
import { NGINX_ANNOTATIONS } from '../../src/checks/data/nginx-annotations.js';
import { annotationFindings, nearestAnnotation, typeError } from '../../src/checks/ingress-annotations.js';

const spec = (key: string) => NGINX_ANNOTATIONS[key]!;

describe('ingress-nginx annotation values', () => {
  const valid: [string, string][] = [
    ['ssl-redirect', 'true'],
    ['ssl-redirect', 'False'],
    ['use-regex', '1'],
    ['limit-rps', '100'],
    ['limit-connections', '20'],
    ['proxy-read-timeout', '60'],
    ['proxy-send-timeout', '60'],
    ['proxy-body-size', '10m'],
    ['proxy-body-size', '0'],
    ['proxy-buffer-size', '8k'],
    ['whitelist-source-range', '10.0.0.0/8, 192.168.1.1'],
    ['custom-http-errors', '404,503'],
    ['backend-protocol', 'GRPC'],
    ['proxy-buffering', 'on'],
    ['rewrite-target', '/'],
  ];
  const invalid: [string, string][] = [
    ['ssl-redirect', 'yes'],
    ['limit-rps', '100/s'],
    ['proxy-read-timeout', '60s'],
    ['proxy-body-size', '10MB'],
    ['proxy-body-size', '10 m'],
    ['whitelist-source-range', '10.0.0.0/8;192.168.0.0/16'],
    ['custom-http-errors', '404, x'],
    ['backend-protocol', 'grpc'],
    ['proxy-buffering', 'true'],
  ];
  it.each(valid)('%s=%j is valid', (key, value) => expect(typeError(spec(key), value)).toBeUndefined());
  it.each(invalid)('%s=%j is invalid', (key, value) => expect(typeError(spec(key), value)).toEqual(expect.any(String)));
});

describe('misspelled keys', () => {
  it.each([
    ['proxy-read-timout', 'proxy-read-timeout'],
    ['ssl-redirects', 'ssl-redirect'],
    ['limit-rsp', 'limit-rps'],
    ['rewrite-targt', 'rewrite-target'],
    ['proxy-body-sizes', 'proxy-body-size'],
  ])('%s → %s', (typo, known) => expect(nearestAnnotation(typo)).toBe(known));

  it('suggests nothing for a key far from every known one', () => {
    expect(nearestAnnotation('completely-made-up-setting')).toBeUndefined();
  });
});

describe('annotationFindings', () => {
  const ing = (annotations: Record<string, string>, path = '/app') => ({
    metadata: { name: 'web', namespace: 'production', annotations },
    spec: {
      rules: [{ host: 'h', http: { paths: [{ path, pathType: 'ImplementationSpecific', backend: { service: { name: 's', port: { number: 80 } } } }] } }],
    },
  });

  it("has no finding for the guide's annotations", () => {
    const guide = {
      'nginx.ingress.kubernetes.io/rewrite-target': '/',
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/limit-rps': '100',
      'nginx.ingress.kubernetes.io/limit-connections': '20',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '60',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '60',
      'nginx.ingress.kubernetes.io/proxy-body-size': '10m',
      'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
    };
    expect(annotationFindings(ing(guide), true)).toEqual([]);
  });

  it('flags other controllers only on ingress-nginx Ingresses', () => {
    const foreign = { 'nginx.org/proxy-connect-timeout': '30s', 'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure' };
    expect(annotationFindings(ing(foreign), true).map((f) => f.code)).toEqual(['KD3043', 'KD3043']);
    expect(annotationFindings(ing(foreign), false)).toEqual([]);
  });

  it('gives a pasteable fix for a wrong value', () => {
    const [f] = annotationFindings(ing({ 'nginx.ingress.kubernetes.io/proxy-body-size': '10MB' }), true);
    expect(f!.fix).toBe('Set an nginx size, e.g.: kubectl -n production annotate ingress web --overwrite nginx.ingress.kubernetes.io/proxy-body-size=10m');
  });
});
