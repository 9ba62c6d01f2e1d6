import { describe, expect, it } from '@jest/globals';
import { shellArgvs } from '../support/hostile.js';

describe('hostile-input checker', () => {
  it('reads several command lines in one bash, each to its own argument vector', () => {
    expect(shellArgvs(["kubectl -n 'a b' get pod", "kdiag dns $'x\\x1b'", 'kubectl'])).toEqual([
      ['kubectl', '-n', 'a b', 'get', 'pod'],
      ['kdiag', 'dns', 'x\u001b'],
      ['kubectl'],
    ]);
  });

  it('fails when a line runs an injected command', () => {
    expect(() => shellArgvs(['kubectl get pod', "kubectl -n 'x'; touch PWNED; echo '' get pod"])).toThrow(/injection/);
  });
});
