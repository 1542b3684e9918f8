import { describe, expect, it } from 'vitest';
import { lintProxySettings } from './lint-proxy-settings.js';

const P = 'http://proxy.corp:3128';
const base = { http_proxy: P, https_proxy: P, no_proxy: 'localhost,127.0.0.1,::1,[::1]' };

interface Case {
  readonly env: Record<string, string>;
  /** A finding that must be reported. */
  readonly code: string;
  /** Tools it must name. */
  readonly tools: readonly string[];
  /** Text the suggestion must contain. */
  readonly suggestion?: string;
  readonly reason: string;
}

const cases: readonly Case[] = [
  {
    env: { ...base, no_proxy: `${base.no_proxy},*.corp.example` },
    code: 'no-proxy-star-prefix',
    tools: ['curl', 'Python', 'npm'],
    suggestion: 'corp.example,.corp.example',
    reason: '*.d is a dead entry for curl',
  },
  {
    env: { ...base, no_proxy: `${base.no_proxy},.corp.example` },
    code: 'no-proxy-leading-dot',
    tools: ['Go', 'Docker', 'wget'],
    suggestion: 'corp.example,.corp.example',
    reason: '.d misses the apex in Go',
  },
  {
    env: { ...base, no_proxy: `${base.no_proxy},corp.example` },
    code: 'no-proxy-bare-domain',
    tools: ['Node'],
    suggestion: 'corp.example,.corp.example',
    reason: 'bare d is exact in proxy-from-env',
  },
  {
    env: { ...base, no_proxy: `${base.no_proxy},10.0.0.0/8` },
    code: 'no-proxy-cidr',
    tools: ['Java', 'Node'],
    suggestion: '10.*',
    reason: 'CIDR ignored by Java and Node',
  },
  {
    env: { ...base, no_proxy: `${base.no_proxy},docker:2375` },
    code: 'no-proxy-port',
    tools: ['curl', 'git', 'Java'],
    reason: 'host:port ignored by curl',
  },
  {
    env: { ...base, no_proxy: `${base.no_proxy},*` },
    code: 'no-proxy-wildcard-in-list',
    tools: ['curl', 'Python'],
    suggestion: 'no_proxy=*',
    reason: '* inside a list',
  },
  {
    env: { ...base, no_proxy: 'localhost 127.0.0.1 ::1 [::1]' },
    code: 'no-proxy-whitespace',
    tools: ['curl', 'Go'],
    suggestion: 'no_proxy=localhost,.localhost,127.0.0.1',
    reason: 'blank-separated lists',
  },
  {
    env: { ...base, no_proxy: 'localhost,127.0.0.1,::1' },
    code: 'no-proxy-ipv6-form',
    tools: ['Node', 'curl'],
    suggestion: '::1,[::1]',
    reason: 'IPv6 in one form only',
  },
  {
    env: { ...base, no_proxy: `${base.no_proxy},bücher.de` },
    code: 'no-proxy-idn',
    tools: ['curl'],
    suggestion: 'xn--bcher-kva.de',
    reason: 'IDN entries',
  },
  {
    env: { http_proxy: P, https_proxy: P },
    code: 'no-proxy-missing-loopback',
    tools: ['curl', 'Python'],
    suggestion: 'localhost,.localhost,127.0.0.1,::1,[::1]',
    reason: 'loopback not listed',
  },
  {
    env: { HTTP_PROXY: P, https_proxy: P },
    code: 'uppercase-only',
    tools: ['curl', 'wget', 'git'],
    suggestion: 'http_proxy="$HTTP_PROXY"',
    reason: 'uppercase HTTP_PROXY ignored by curl',
  },
  {
    env: { http_proxy: P, HTTPS_PROXY: P },
    code: 'uppercase-only',
    tools: ['wget'],
    reason: 'wget reads only lowercase',
  },
  {
    env: { http_proxy: P, https_proxy: P, NO_PROXY: 'localhost' },
    code: 'uppercase-only',
    tools: ['wget'],
    reason: 'uppercase NO_PROXY',
  },
  {
    env: { http_proxy: P, HTTP_PROXY: 'http://other:1' },
    code: 'case-conflict',
    tools: ['Go', 'Docker'],
    reason: 'Go prefers uppercase',
  },
  {
    env: { all_proxy: P },
    code: 'all-proxy-only',
    tools: ['Go', 'Docker', 'Java', 'Node'],
    suggestion: `https_proxy=${P}`,
    reason: 'ALL_PROXY alone',
  },
  {
    env: { http_proxy: P },
    code: 'https-falls-back-to-http-proxy',
    tools: ['Node'],
    reason: 'undici sends https through http_proxy',
  },
  {
    env: { https_proxy: 'https://proxy.corp:3129' },
    code: 'https-scheme-proxy',
    tools: ['Java', 'wget'],
    suggestion: 'http://proxy.corp:3129',
    reason: 'the JVM only speaks HTTP to a proxy',
  },
  {
    env: { https_proxy: 'socks5://proxy.corp:1080' },
    code: 'socks-proxy',
    tools: ['wget', 'Java'],
    reason: 'SOCKS',
  },
  {
    env: { https_proxy: 'http://u:pw@proxy.corp:3128' },
    code: 'credentials-in-proxy-url',
    tools: ['Java', 'Maven'],
    suggestion: '127.0.0.1:3128',
    reason: 'credentials in the environment',
  },
  {
    env: { https_proxy: P },
    code: 'java-ignores-environment',
    tools: ['Java', 'Maven', 'Gradle'],
    suggestion: '--target jvm',
    reason: 'Java ignores the environment',
  },
  {
    env: { https_proxy: 'proxy.corp:3128' },
    code: 'proxy-scheme-missing',
    tools: ['Python', 'Node'],
    suggestion: `https_proxy=${P}`,
    reason: 'scheme-less proxy',
  },
  {
    env: { https_proxy: 'http://proxy.corp' },
    code: 'proxy-port-missing',
    tools: ['curl'],
    reason: 'curl defaults to 1080',
  },
];

describe('lintProxySettings', () => {
  it.each(cases)('$code: $reason', (c) => {
    const findings = lintProxySettings({ env: c.env });
    const found = findings.find((d) => d.code === c.code);
    expect(found, JSON.stringify(findings.map((d) => d.code))).toBeDefined();
    expect(found?.severity).toBe('warning');
    for (const tool of c.tools) expect(found?.tools).toContain(tool);
    for (const tool of c.tools) expect(found?.message).toContain(tool);
    if (c.suggestion !== undefined) expect(found?.suggestion).toContain(c.suggestion);
  });

  it('is quiet about settings every tool reads the same way', () => {
    const findings = lintProxySettings({
      env: {
        http_proxy: P,
        HTTP_PROXY: P,
        https_proxy: P,
        HTTPS_PROXY: P,
        no_proxy: 'localhost,.localhost,127.0.0.1,::1,[::1],corp.example,.corp.example',
        NO_PROXY: 'localhost,.localhost,127.0.0.1,::1,[::1],corp.example,.corp.example',
      },
    });
    expect(findings.map((d) => d.code)).toEqual(['java-ignores-environment']);
  });

  it('keeps malformed values as errors', () => {
    const findings = lintProxySettings({ env: { https_proxy: 'foo://x:1', no_proxy: '10.*' } });
    expect(findings.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([
      'invalid-proxy-url',
      'invalid-no-proxy-entry',
    ]);
  });

  it('never shows credentials', () => {
    const findings = lintProxySettings({
      env: { HTTPS_PROXY: 'http://u:hunter2@p:1', http_proxy: 'http://u:hunter2@q:1' },
    });
    expect(JSON.stringify(findings)).not.toContain('hunter2');
  });
});
