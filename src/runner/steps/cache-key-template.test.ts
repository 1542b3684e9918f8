import { describe, expect, it } from 'vitest';
import { type CacheKeyContext, renderCacheKey } from './cache-key-template.js';

const ctx: CacheKeyContext = {
  branch: 'feature/x',
  revision: 'abc123',
  buildNum: '42',
  checkoutKey: '',
  env: { NODE_VERSION: '20', EMPTY: '' },
  epochSeconds: 1700000000.9,
  arch: 'linux-amd64',
  checksum: async (path) => {
    if (path === 'missing.lock') throw new Error('missing.lock does not exist');
    return `sum(${path})`;
  },
};

describe('renderCacheKey', () => {
  it('renders every template', async () => {
    expect(
      await renderCacheKey(
        'v1-{{ .Branch }}-{{.Revision}}-{{ .BuildNum }}-{{ .Environment.NODE_VERSION }}-{{ checksum "package-lock.json" }}-{{ epoch }}-{{ arch }}',
        ctx,
      ),
    ).toEqual({
      ok: true,
      key: 'v1-feature/x-abc123-42-20-sum(package-lock.json)-1700000000-linux-amd64',
    });
  });

  it('refuses unknown templates and missing checksum files with a message', async () => {
    expect(await renderCacheKey('v1-{{ .Nope }}', ctx)).toMatchObject({
      ok: false,
      error: expect.stringContaining('unknown template {{ .Nope }}'),
    });
    expect(await renderCacheKey('v1-{{ checksum "missing.lock" }}', ctx)).toEqual({
      ok: false,
      error: 'cannot compute {{ checksum "missing.lock" }}: missing.lock does not exist',
    });
    expect(await renderCacheKey('{{ .Environment.EMPTY }}', ctx)).toEqual({
      ok: false,
      error: 'the cache key is empty',
    });
  });
});
