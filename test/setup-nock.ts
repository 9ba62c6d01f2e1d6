// jest runs several test files in one process, each with its own module registry and so
// its own nock instance. An instance left active intercepts the next file's requests too;
// restore it when its file ends.
import { afterAll, afterEach, expect } from '@jest/globals';
import nock from 'nock';
import { endFakeApi } from './support/fake-api.js';

// A test that started the fake API must not have sent a request it does not know.
afterEach(() => {
  expect(endFakeApi()?.unexpected ?? []).toEqual([]);
});

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
