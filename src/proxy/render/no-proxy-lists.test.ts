import { describe, expect, it } from 'vitest';
import { parseNoProxy } from '../parse-no-proxy.js';
import { envNoProxyList, jvmNonProxyHosts, npmNoProxyList } from './no-proxy-lists.js';

const entries = (value: string) => parseNoProxy(value, 'no_proxy').entries;

describe('envNoProxyList', () => {
  it.each([
    { input: 'example.com', want: 'example.com,.example.com', reason: 'd becomes d and .d' },
    { input: '.example.com', want: 'example.com,.example.com', reason: '.d becomes d and .d' },
    { input: '*.example.com', want: 'example.com,.example.com', reason: '*.d is never emitted' },
    {
      input: 'example.com,.example.com',
      want: 'example.com,.example.com',
      reason: 'no duplicates',
    },
    {
      input: 'git.corp:8443',
      want: 'git.corp:8443,.git.corp:8443',
      reason: 'ports are kept on both forms',
    },
    { input: '10.0.0.0/8', want: '10.0.0.0/8', reason: 'CIDRs go out as they are' },
    { input: '10.0.0.1/8', want: '10.0.0.0/8', reason: 'masked CIDRs go out canonical' },
    { input: '192.168.1.1', want: '192.168.1.1', reason: 'IPv4 as is' },
    { input: '192.168.1.1:80', want: '192.168.1.1:80', reason: 'IPv4 with port' },
    { input: '::1', want: '::1,[::1]', reason: 'IPv6 bare and bracketed' },
    { input: '[2001:db8::1]', want: '2001:db8::1,[2001:db8::1]', reason: 'bracketed IPv6 too' },
    {
      input: '[2001:db8::1]:443',
      want: '[2001:db8::1]:443',
      reason: 'IPv6 with port only bracketed',
    },
    { input: 'fd00::/8', want: 'fd00::/8', reason: 'IPv6 CIDR as is' },
    { input: 'a.example,*', want: '*', reason: '* anywhere makes the whole value *' },
    { input: 'bücher.de', want: 'xn--bcher-kva.de,.xn--bcher-kva.de', reason: 'IDN as punycode' },
    { input: '', want: '', reason: 'nothing' },
  ])('$input → $want ($reason)', ({ input, want }) => {
    expect(envNoProxyList(entries(input))).toBe(want);
  });
});

describe('jvmNonProxyHosts', () => {
  const L = 'localhost|127.*|[::1]';
  it.each([
    { input: '', want: L, dropped: 0, reason: 'the JDK default always comes first' },
    {
      input: 'example.com',
      want: `${L}|example.com|*.example.com`,
      dropped: 0,
      reason: 'd becomes d|*.d',
    },
    {
      input: '.example.com',
      want: `${L}|example.com|*.example.com`,
      dropped: 0,
      reason: 'every domain form the same',
    },
    { input: '192.168.1.7', want: `${L}|192.168.1.7`, dropped: 0, reason: 'an IP stays' },
    { input: '10.0.0.0/8', want: `${L}|10.*`, dropped: 0, reason: '/8 → a.*' },
    { input: '172.16.0.0/16', want: `${L}|172.16.*`, dropped: 0, reason: '/16 → a.b.*' },
    { input: '192.168.5.0/24', want: `${L}|192.168.5.*`, dropped: 0, reason: '/24 → a.b.c.*' },
    { input: '192.168.5.9/32', want: `${L}|192.168.5.9`, dropped: 0, reason: '/32 → the address' },
    { input: '0.0.0.0/0', want: `${L}|*`, dropped: 0, reason: '/0 → *' },
    {
      input: '192.168.5.0/30',
      want: `${L}|192.168.5.0|192.168.5.1|192.168.5.2|192.168.5.3`,
      dropped: 0,
      reason: 'small non-aligned CIDRs are expanded',
    },
    {
      input: '10.0.0.8/29',
      want: `${L}|10.0.0.8|10.0.0.9|10.0.0.10|10.0.0.11|10.0.0.12|10.0.0.13|10.0.0.14|10.0.0.15`,
      dropped: 0,
      reason: '/29 → eight addresses',
    },
    {
      input: '172.16.0.0/12',
      want: L,
      dropped: 1,
      reason: 'large non-aligned CIDRs are dropped with a warning',
    },
    { input: '10.0.0.0/23', want: L, dropped: 1, reason: '512 addresses is too many' },
    { input: '2001:db8::1', want: `${L}|[2001:db8::1]`, dropped: 0, reason: 'IPv6 in brackets' },
    {
      input: '2001:db8::/126',
      want: `${L}|[2001:db8::]|[2001:db8::1]|[2001:db8::2]|[2001:db8::3]`,
      dropped: 0,
      reason: 'small IPv6 CIDRs expanded',
    },
    { input: 'fd00::/8', want: L, dropped: 1, reason: 'large IPv6 CIDRs dropped' },
    {
      input: 'git.corp:8443',
      want: L,
      dropped: 1,
      reason: 'host:port dropped (fail safe: use the proxy)',
    },
    { input: '[::2]:80', want: L, dropped: 1, reason: '[v6]:port dropped' },
    { input: '*', want: `${L}|*`, dropped: 0, reason: '* stays *' },
    {
      input: 'a.example,b.example',
      want: `${L}|a.example|*.a.example|b.example|*.b.example`,
      dropped: 0,
      reason: 'order is kept',
    },
  ])('$input → $want ($reason)', ({ input, want, dropped }) => {
    const result = jvmNonProxyHosts(entries(input), 'JAVA_TOOL_OPTIONS');
    expect(result.value).toBe(want);
    expect(result.value).not.toMatch(/\s/);
    expect(result.diagnostics).toHaveLength(dropped);
    for (const d of result.diagnostics) expect(d.code).toBe('render-entry-dropped');
  });
});

describe('npmNoProxyList', () => {
  it.each([
    {
      input: 'example.com',
      want: 'example.com',
      dropped: 0,
      reason: 'npm matches labels: d alone',
    },
    {
      input: '*.example.com,.example.com',
      want: 'example.com',
      dropped: 0,
      reason: 'every form collapses',
    },
    {
      input: 'git.corp:8443,a.example',
      want: 'a.example',
      dropped: 1,
      reason: 'npm ignores ports: dropped',
    },
    { input: '10.0.0.0/8', want: '10.0.0.0/8', dropped: 0, reason: 'CIDR kept (harmless)' },
    { input: '::1', want: '::1,[::1]', dropped: 0, reason: 'IPv6 both forms' },
    { input: '*,a.example', want: '*', dropped: 0, reason: 'star' },
  ])('$input → $want ($reason)', ({ input, want, dropped }) => {
    const result = npmNoProxyList(entries(input), '.npmrc');
    expect(result.value).toBe(want);
    expect(result.diagnostics).toHaveLength(dropped);
  });
});
