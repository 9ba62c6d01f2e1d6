import { describe, expect, it } from '@jest/globals';
import { toKdiagError } from '../src/cluster/errors.js';
import { redact } from '../src/errors.js';
import { sanitize } from '../src/report/render.js';
import { selfSigned } from './support/tls.js';

describe('output hygiene', () => {
  it('redacts bearer tokens, basic auth, private keys and kubeconfig secrets', () => {
    const key = selfSigned('x').key;
    const text = [
      'Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.payload.sig',
      '{"authorization":"Basic dXNlcjpwYXNz"}',
      key,
      'client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t',
      'token: abcdefghijklmnop',
    ].join('\n');
    const out = redact(text);
    expect(out).not.toContain('eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9');
    expect(out).not.toContain('dXNlcjpwYXNz');
    expect(out).not.toContain('PRIVATE KEY-----\n');
    expect(out).toContain('[REDACTED PRIVATE KEY]');
    expect(out).not.toContain('LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t');
    expect(out).not.toContain('abcdefghijklmnop');
  });

  it('strips terminal control sequences from untrusted text', () => {
    expect(sanitize('ok\u001b[31mred\u001b[0m\u001b]0;title\u0007 done\u0000')).toBe('okred done');
  });

  it('keeps the token out of error details', () => {
    const err = Object.assign(new Error('HTTP-Code: 401\nHeaders: {"authorization":"Bearer sekret-token-123456"}'), {
      code: 401,
      body: { message: 'Unauthorized' },
    });
    const mapped = toKdiagError(err, 'https://127.0.0.1:6443', { verb: 'list', resource: 'pods', namespace: 'x' });
    expect(mapped.message).not.toContain('sekret');
    expect(mapped.detail).not.toContain('sekret-token-123456');
  });
});
