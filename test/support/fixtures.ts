// Fixtures are Kubernetes `List` YAML files under test/fixtures.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { snapshotOf, type Snapshot } from '../../src/snapshot.js';

export type K8sObject = {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** All objects of a fixture file (a List, or several documents). */
export function loadFixture(name: string): K8sObject[] {
  const docs = loadAll(readFileSync(join(FIXTURES, name), 'utf8')) as (K8sObject & { items?: K8sObject[] })[];
  return docs.filter(Boolean).flatMap((d) => (d.kind === 'List' ? (d.items ?? []) : [d]));
}

export function fixtureSnapshot(objects: readonly K8sObject[], partial: Partial<Snapshot> = {}): Snapshot {
  return snapshotOf(objects, { now: new Date('2026-11-25T12:00:00Z'), ...partial });
}

/** A deep copy of a fixture object with changes applied (tests stay readable). */
export function variant<T extends K8sObject>(obj: T, change: (copy: T) => void): T {
  const copy = structuredClone(obj);
  change(copy);
  return copy;
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!obj) throw new Error(`fixture has no ${kind} ${name}`);
  return obj;
}
