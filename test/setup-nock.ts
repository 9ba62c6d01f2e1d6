// jest runs several test files in one process, each with its own module registry and so
// its own nock instance. An instance left active intercepts the next file's requests too;
// restore it when its file ends.
import { afterAll } from '@jest/globals';
import nock from 'nock';

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
