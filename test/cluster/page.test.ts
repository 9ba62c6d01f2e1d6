import { describe, expect, it } from '@jest/globals';
import { ListPageParser, parseListPage, parseListStream } from '../../src/cluster/page.js';

const keepAll = (item: unknown) => item;

describe('list pages parsed item by item', () => {
  it('gives every item and the list fields, as JSON.parse would', () => {
    const list = {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '42', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ' },
      items: [
        { metadata: { name: 'a', labels: { 'x/y': 'quote " brace } bracket ] \\ back' } }, spec: { containers: [{ ports: [{ containerPort: 80 }] }] } },
        { metadata: { name: 'b', annotations: { items: '[{"items": []}]' } }, status: { podIPs: [{ ip: '10.0.0.1' }], phase: 'Running' } },
        { metadata: { name: 'ünïcødé ✓' }, spec: { nested: [[1, [2, {}]], { a: [] }] } },
      ],
    };
    for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2)]) {
      const page = parseListPage(text, keepAll);
      expect(page.items).toEqual(list.items);
      expect(page.list).toEqual({ kind: 'PodList', apiVersion: 'v1', metadata: list.metadata });
    }
  });

  it('gives the same items and list wherever the stream is cut into chunks', async () => {
    const list = {
      kind: 'ServiceList',
      metadata: { continue: 'abc' },
      items: [{ metadata: { name: 'a\\"b', labels: { k: 'é ✓ \\\\' } }, spec: { ports: [{ port: 80 }] } }, { metadata: { name: 'c' } }],
    };
    const bytes = Buffer.from(JSON.stringify(list, null, 1));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parser = new ListPageParser(keepAll);
      parser.push(bytes.subarray(0, cut));
      parser.push(bytes.subarray(cut));
      expect(parser.end()).toEqual({ list: { kind: 'ServiceList', metadata: { continue: 'abc' } }, items: list.items });
    }
    async function* oneByteAtATime() {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    expect((await parseListStream(oneByteAtATime(), keepAll)).items).toEqual(list.items);
  });

  it("leaves out an item's metadata.managedFields (null), and nothing else, wherever the stream is cut", () => {
    const managedFields = [{ manager: 'kubectl', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'k:{"port":80}': { '.': {} } } }];
    const item = (name: string) => ({
      metadata: { name, annotations: { note: '"managedFields":[1,2]', managedFields: '[]' }, managedFields, labels: { managedFields: 'x' } },
      spec: { managedFields: [1], template: { metadata: { managedFields: [2] } } },
      managedFields: [3],
    });
    const list = { kind: 'PodList', metadata: { continue: 'c' }, items: [item('a'), item('b\\\\"c'), { metadata: { managedFields: [] } }] };
    const expected = list.items.map((i) => ({ ...i, metadata: { ...i.metadata, managedFields: null } }));
    const text = JSON.stringify(list);
    expect(parseListPage(text, keepAll)).toEqual({ list: { kind: 'PodList', metadata: { continue: 'c' } }, items: expected });
    // Cut anywhere, the items are the same once managedFields is dropped (a key cut in two is not recognised).
    const withoutFields = (i: unknown) => {
      delete (i as { metadata: { managedFields?: unknown } }).metadata.managedFields;
      return i;
    };
    const bytes = Buffer.from(text);
    const want = parseListPage(text, withoutFields);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parser = new ListPageParser(withoutFields);
      parser.push(bytes.subarray(0, cut));
      parser.push(bytes.subarray(cut));
      expect(parser.end()).toEqual(want);
    }
    expect(want.items[0]).toEqual({ ...item('a'), metadata: { name: 'a', annotations: item('a').metadata.annotations, labels: { managedFields: 'x' } } });
  });

  it('keeps what keep returns, and nothing for undefined', () => {
    const text = JSON.stringify({ items: [{ n: 1 }, { n: 2 }, { n: 3 }], metadata: {} });
    const page = parseListPage(text, (item) => ((item as { n: number }).n === 2 ? undefined : (item as { n: number }).n * 10));
    expect(page.items).toEqual([10, 30]);
    expect(page.list).toEqual({ metadata: {} });
  });

  it('reads empty and null item lists, and a list whose fields come after the items', () => {
    expect(parseListPage('{"kind":"ServiceList","metadata":{},"items":[]}', keepAll)).toEqual({ list: { kind: 'ServiceList', metadata: {} }, items: [] });
    expect(parseListPage('{"kind":"ServiceList","metadata":{},"items":null}', keepAll)).toEqual({ list: { kind: 'ServiceList', metadata: {} }, items: [] });
    expect(parseListPage('{"items":[{"a":1}],"metadata":{"continue":"c"},"kind":"items"}', keepAll)).toEqual({
      list: { metadata: { continue: 'c' }, kind: 'items' },
      items: [{ a: 1 }],
    });
  });

  it('fails on text that is not JSON, as JSON.parse does', () => {
    expect(() => parseListPage('{"items":[{"a":1},', keepAll)).toThrow(SyntaxError);
    expect(() => parseListPage('{"items":[{"a":1}],"metadata":{"continue":"x', keepAll)).toThrow(SyntaxError);
    expect(() => parseListPage('{"items":[{"a":tru}]}', keepAll)).toThrow(SyntaxError);
    expect(() => parseListPage('<html>', keepAll)).toThrow(SyntaxError);
  });
});
