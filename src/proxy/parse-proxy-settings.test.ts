import { describe, expect, it } from 'vitest';
import { type ProxySettingsInput, parseProxySettings } from './parse-proxy-settings.js';

interface Case {
  readonly input: ProxySettingsInput;
  /** The source of each endpoint (undefined = unset). */
  readonly http?: string;
  readonly https?: string;
  readonly all?: string;
  readonly noProxy?: string;
  /** Diagnostic codes, in order. */
  readonly codes: readonly string[];
  readonly reason: string;
}

const P = 'http://p.corp:3128';
const Q = 'http://q.corp:3128';

const cases: readonly Case[] = [
  { input: { env: {} }, codes: [], reason: 'nothing set' },
  { input: {}, codes: [], reason: 'no env at all' },
  { input: { env: { http_proxy: P } }, http: 'http_proxy', codes: [], reason: 'lowercase' },
  {
    input: { env: { HTTP_PROXY: P } },
    http: 'HTTP_PROXY',
    codes: [],
    reason: 'uppercase when lowercase is unset',
  },
  {
    input: { env: { http_proxy: P, HTTP_PROXY: P } },
    http: 'http_proxy',
    codes: [],
    reason: 'both, identical: lowercase, quietly',
  },
  {
    input: { env: { http_proxy: P, HTTP_PROXY: Q } },
    http: 'http_proxy',
    codes: ['case-conflict'],
    reason: 'both, different: lowercase, warned',
  },
  {
    input: { env: { http_proxy: '', HTTP_PROXY: P } },
    http: 'HTTP_PROXY',
    codes: [],
    reason: 'empty lowercase is unset',
  },
  {
    input: { env: { http_proxy: P, HTTP_PROXY: '' } },
    http: 'http_proxy',
    codes: [],
    reason: 'empty uppercase is unset',
  },
  { input: { env: { https_proxy: '' } }, codes: [], reason: 'empty is unset, no warning' },
  {
    input: { env: { HTTPS_PROXY: P, https_proxy: Q } },
    https: 'https_proxy',
    codes: ['case-conflict'],
    reason: 'https case conflict',
  },
  { input: { env: { ALL_PROXY: P } }, all: 'ALL_PROXY', codes: [], reason: 'uppercase all_proxy' },
  {
    input: { env: { all_proxy: P, ALL_PROXY: Q } },
    all: 'all_proxy',
    codes: ['case-conflict'],
    reason: 'all_proxy case conflict',
  },
  {
    input: { env: { NO_PROXY: 'a', no_proxy: 'b' } },
    noProxy: 'no_proxy',
    codes: ['case-conflict'],
    reason: 'no_proxy case conflict',
  },
  {
    input: { env: { NO_PROXY: 'a' } },
    noProxy: 'NO_PROXY',
    codes: [],
    reason: 'uppercase NO_PROXY',
  },
  {
    input: { env: { Http_Proxy: P } },
    codes: [],
    reason: 'mixed case names are not proxy variables',
  },
  {
    input: { env: { https_proxy: 'foo://x' } },
    codes: ['invalid-proxy-url'],
    reason: 'malformed https_proxy is an error and unset',
  },
  {
    input: { env: { https_proxy: 'x:1' } },
    https: 'https_proxy',
    codes: ['proxy-scheme-missing'],
    reason: 'scheme-less is a warning',
  },
  {
    input: { env: { no_proxy: 'ok.example,10.*' } },
    noProxy: 'no_proxy',
    codes: ['invalid-no-proxy-entry'],
    reason: 'bad entries are errors',
  },
  {
    input: { env: { no_proxy: '10.0.0.1/8' } },
    noProxy: 'no_proxy',
    codes: ['cidr-host-bits'],
    reason: 'host bits are warnings',
  },
  {
    input: { env: { HTTP_PROXY: P, REQUEST_METHOD: 'GET' } },
    codes: ['cgi-http-proxy-ignored'],
    reason: 'CGI guard drops uppercase HTTP_PROXY',
  },
  {
    input: { env: { HTTP_PROXY: P, REQUEST_METHOD: '' } },
    codes: ['cgi-http-proxy-ignored'],
    reason: 'REQUEST_METHOD present but empty still counts',
  },
  {
    input: { env: { http_proxy: P, REQUEST_METHOD: 'GET' } },
    http: 'http_proxy',
    codes: [],
    reason: 'lowercase is not guarded',
  },
  {
    input: { env: { HTTPS_PROXY: P, REQUEST_METHOD: 'GET' } },
    https: 'HTTPS_PROXY',
    codes: [],
    reason: 'HTTPS_PROXY is not guarded',
  },
  { input: { config: { http: P } }, http: 'config.http', codes: [], reason: 'config only' },
  {
    input: { env: { http_proxy: Q }, config: { http: P } },
    http: 'config.http',
    codes: ['config-overrides-env'],
    reason: 'config wins, warned',
  },
  {
    input: { env: { http_proxy: P }, config: { http: P } },
    http: 'config.http',
    codes: [],
    reason: 'config equal to env: quiet',
  },
  {
    input: { env: { http_proxy: P }, config: { http: '' } },
    http: 'http_proxy',
    codes: [],
    reason: 'empty config is unset',
  },
  {
    input: { env: { no_proxy: 'a' }, config: { noProxy: ['b', 'c'] } },
    noProxy: 'config.noProxy',
    codes: ['config-overrides-env'],
    reason: 'config noProxy list wins',
  },
  {
    input: { env: { no_proxy: 'a' }, config: { noProxy: [] } },
    noProxy: 'no_proxy',
    codes: [],
    reason: 'an empty config list is unset',
  },
  {
    input: { env: { HTTP_PROXY: P, REQUEST_METHOD: 'GET' }, config: { http: Q } },
    http: 'config.http',
    codes: ['config-overrides-env'],
    reason: 'configured http is not guarded',
  },
  {
    input: { env: { https_proxy: P }, config: { off: true } },
    https: 'https_proxy',
    codes: ['proxy-off'],
    reason: 'off warns about set variables',
  },
  { input: { config: { off: true } }, codes: [], reason: 'off alone is quiet' },
  {
    input: { internal: ['https://ci.example/', '169.254.169.254', 'blob.internal:9000'] },
    codes: [],
    reason: 'internal hosts and URLs',
  },
  {
    input: { internal: ['not a host!'] },
    codes: ['invalid-internal-endpoint'],
    reason: 'a bad internal endpoint is reported',
  },
  {
    input: { config: { proxyInternal: '10.*' } },
    codes: ['invalid-no-proxy-entry'],
    reason: 'a bad override is reported',
  },
];

describe('parseProxySettings', () => {
  it.each(cases)('$reason', (c) => {
    const { policy, diagnostics } = parseProxySettings(c.input);
    expect(policy.http?.source).toBe(c.http);
    expect(policy.https?.source).toBe(c.https);
    expect(policy.all?.source).toBe(c.all);
    expect(policy.noProxySource).toBe(c.noProxy);
    expect(diagnostics.map((d) => d.code)).toEqual(c.codes);
  });

  it('never quotes credentials when values conflict', () => {
    const { diagnostics } = parseProxySettings({
      env: { https_proxy: 'http://u:hunter2@p:1', HTTPS_PROXY: 'http://u:zebra9@p:1' },
      config: { https: 'http://u:quux7@p:1' },
    });
    expect(diagnostics.map((d) => d.code)).toEqual(['case-conflict', 'config-overrides-env']);
    const text = JSON.stringify(diagnostics);
    expect(text).not.toMatch(/hunter2|zebra9|quux7/);
    expect(text).toContain('http://***:***@p:1');
  });

  it('marks a rejected scheme variable so routes can explain the fallback', () => {
    const { policy } = parseProxySettings({ env: { http_proxy: 'http://x/a', https_proxy: P } });
    expect(policy.rejected).toEqual({ http: 'http_proxy' });
    expect(policy.http).toBeUndefined();
  });
});
