import { describe, expect, it } from '@jest/globals';
import { keepNote } from '../../src/engine/probe-cli.js';
import { leftBehindNotice } from '../../src/probes/pod-spec.js';
import { shellArgvs } from '../support/hostile.js';
import { clusterScenarios } from './scenarios/cluster.js';
import { describeHostile } from './scenarios/describe.js';
import { HOSTILE_VALUES, nameOf } from './scenarios/types.js';

describe('hostile input: permissions and trace', () => describeHostile(clusterScenarios));

describe('hostile input: cleanup hints of kept and left-behind probes', () => {
  it.each(HOSTILE_VALUES.map((v) => [v]))('%j', (v) => {
    const ns = nameOf(v);
    const kept = keepNote({ jobName: nameOf(v, '-job'), namespace: ns, podName: nameOf(v, '-pod'), log: '', kept: true, elapsedMs: 1 });
    const del = /delete it with: (.*?) {3}\(or: (.*?); the cluster/s.exec(kept);
    const left = /or run: (.*)$/s.exec(leftBehindNotice(ns, nameOf(v, '-job'), 60));
    expect(shellArgvs([del![1]!, del![2]!, left![1]!])).toEqual([
      ['kubectl', '-n', ns, 'delete', 'job', nameOf(v, '-job')],
      ['kdiag', 'cleanup', '-n', ns],
      ['kdiag', 'cleanup', '-n', ns],
    ]);
  });
});
