import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsInText } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    { value: 'http://proxy:3128', want: 'http://proxy:3128', reason: 'nothing to redact' },
    {
      value: 'http://alice:s3cret@proxy:3128',
      want: 'http://***:***@proxy:3128',
      reason: 'user and password',
    },
    { value: 'http://alice@proxy:3128', want: 'http://***@proxy:3128', reason: 'user only' },
    {
      value: 'http://:s3cret@proxy:3128',
      want: 'http://***:***@proxy:3128',
      reason: 'password only',
    },
    {
      value: 'https://a:b@host/path?q=1#f',
      want: 'https://***:***@host/path?q=1#f',
      reason: 'keeps path, query and fragment',
    },
    {
      value: 'http://a:p@ss@proxy:3128',
      want: 'http://***:***@proxy:3128',
      reason: 'the last @ of the authority ends the userinfo',
    },
    {
      value: 'http://a:p/ss@proxy:3128',
      want: 'http://***:***@proxy:3128',
      reason: 'an unencoded / in a password of an unparseable value',
    },
    {
      value: 'alice:s3cret@proxy:3128',
      want: '***:***@proxy:3128',
      reason: 'scheme-less proxy value',
    },
    {
      value: 'https://registry.npmjs.org/@types%2fnode',
      want: 'https://registry.npmjs.org/@types%2fnode',
      reason: 'an @ in the path of a valid URL is kept',
    },
    { value: 'https://host/a@b', want: 'https://host/a@b', reason: 'path @, valid URL' },
    { value: 'foo://u:p@host', want: 'foo://***:***@host', reason: 'any scheme' },
    { value: '', want: '', reason: 'empty' },
  ])('$value → $want ($reason)', ({ value, want }) => {
    expect(redactUrl(value)).toBe(want);
  });
});

describe('redactUrlsInText', () => {
  it.each([
    {
      text: 'connect ECONNREFUSED to http://bob:pw@proxy:3128 failed',
      want: 'connect ECONNREFUSED to http://***:***@proxy:3128 failed',
      reason: 'a URL inside a message',
    },
    {
      text: 'proxies http://a:b@p1:1 and https://c@p2:2',
      want: 'proxies http://***:***@p1:1 and https://***@p2:2',
      reason: 'several URLs',
    },
    {
      text: 'HTTPS_PROXY="bob:pw@proxy:3128"',
      want: 'HTTPS_PROXY="***:***@proxy:3128"',
      reason: 'a scheme-less value in quotes',
    },
    {
      text: 'mail admin@corp.example',
      want: 'mail admin@corp.example',
      reason: 'an address is no credential',
    },
    { text: 'no credentials here', want: 'no credentials here', reason: 'plain text' },
  ])('$reason', ({ text, want }) => {
    expect(redactUrlsInText(text)).toBe(want);
  });
});
