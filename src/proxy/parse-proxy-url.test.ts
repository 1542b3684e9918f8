import { describe, expect, it } from 'vitest';
import { parseProxyUrl } from './parse-proxy-url.js';

interface Case {
  readonly value: string;
  /** The credential-free URL, or null when the value must be rejected. */
  readonly want: string | null;
  readonly user?: string;
  readonly password?: string;
  /** Diagnostic codes expected, in order. */
  readonly codes?: readonly string[];
  readonly reason: string;
}

const cases: readonly Case[] = [
  // accepted forms
  { value: 'http://proxy.corp:3128', want: 'http://proxy.corp:3128', reason: 'the canonical form' },
  {
    value: 'http://proxy.corp:3128/',
    want: 'http://proxy.corp:3128',
    reason: 'a lone trailing slash is allowed',
  },
  {
    value: 'https://proxy.corp:3129',
    want: 'https://proxy.corp:3129',
    reason: 'https proxies are accepted',
  },
  {
    value: 'socks5://proxy.corp:1080',
    want: 'socks5://proxy.corp:1080',
    reason: 'socks5 is accepted',
  },
  {
    value: 'socks5h://proxy.corp:1080',
    want: 'socks5h://proxy.corp:1080',
    reason: 'socks5h is accepted',
  },
  {
    value: 'HTTP://Proxy.Corp:3128',
    want: 'http://proxy.corp:3128',
    reason: 'scheme and host are case-insensitive',
  },
  { value: 'http://10.0.0.33:3128', want: 'http://10.0.0.33:3128', reason: 'an IPv4 proxy' },
  { value: 'http://[::1]:3128', want: 'http://[::1]:3128', reason: 'an IPv6 proxy in brackets' },
  {
    value: 'http://[2001:DB8:0:0::1]:3128',
    want: 'http://[2001:db8::1]:3128',
    reason: 'IPv6 is written canonically',
  },
  {
    value: 'http://proxy.corp.:3128',
    want: 'http://proxy.corp:3128',
    reason: 'one trailing dot of the host is dropped',
  },
  {
    value: 'http://bücher.example:3128',
    want: 'http://xn--bcher-kva.example:3128',
    reason: 'IDN hosts become punycode',
  },
  {
    value: 'http://proxy_1.corp:3128',
    want: 'http://proxy_1.corp:3128',
    reason: 'underscores occur in internal names',
  },
  { value: 'http://proxy:65535', want: 'http://proxy:65535', reason: 'the highest port' },
  {
    value: 'http://proxy:08080',
    want: 'http://proxy:8080',
    reason: 'a port with a leading zero is still a decimal port',
  },
  // credentials
  {
    value: 'http://alice:s3cret@proxy:3128',
    want: 'http://proxy:3128',
    user: 'alice',
    password: 's3cret',
    reason: 'credentials are split off the URL',
  },
  {
    value: 'http://alice@proxy:3128',
    want: 'http://proxy:3128',
    user: 'alice',
    reason: 'a user without a password',
  },
  {
    value: 'http://alice:@proxy:3128',
    want: 'http://proxy:3128',
    user: 'alice',
    password: '',
    reason: 'an empty password is kept as empty',
  },
  {
    value: 'http://al%40ice:p%3Ass@proxy:3128',
    want: 'http://proxy:3128',
    user: 'al@ice',
    password: 'p:ss',
    reason: 'userinfo is percent-decoded',
  },
  {
    value: 'http://u:%2541@proxy:3128',
    want: 'http://proxy:3128',
    user: 'u',
    password: '%41',
    reason: 'decoded exactly once: %2541 becomes %41, not A',
  },
  {
    value: 'http://DOMAIN%5Cuser:pw@proxy:3128',
    want: 'http://proxy:3128',
    user: 'DOMAIN\\user',
    password: 'pw',
    reason: 'an encoded backslash for NTLM-style users',
  },
  // warnings
  {
    value: 'proxy.corp:3128',
    want: 'http://proxy.corp:3128',
    codes: ['proxy-scheme-missing'],
    reason: 'scheme-less host:port becomes http:// with a warning',
  },
  {
    value: '10.0.0.33:3128',
    want: 'http://10.0.0.33:3128',
    codes: ['proxy-scheme-missing'],
    reason: 'scheme-less IP:port, as in the CircleCI docs',
  },
  {
    value: 'alice:pw@proxy:3128',
    want: 'http://proxy:3128',
    user: 'alice',
    password: 'pw',
    codes: ['proxy-scheme-missing'],
    reason: 'scheme-less with credentials',
  },
  {
    value: 'http://proxy.corp',
    want: 'http://proxy.corp:80',
    codes: ['proxy-port-missing'],
    reason: 'missing port: 80 for http, with a warning',
  },
  {
    value: 'https://proxy.corp',
    want: 'https://proxy.corp:443',
    codes: ['proxy-port-missing'],
    reason: 'missing port: 443 for https',
  },
  {
    value: 'socks5://proxy.corp',
    want: 'socks5://proxy.corp:1080',
    codes: ['proxy-port-missing'],
    reason: 'missing port: 1080 for socks5',
  },
  {
    value: 'socks5h://proxy.corp/',
    want: 'socks5h://proxy.corp:1080',
    codes: ['proxy-port-missing'],
    reason: 'missing port: 1080 for socks5h',
  },
  {
    value: 'http://proxy.corp:',
    want: 'http://proxy.corp:80',
    codes: ['proxy-port-missing'],
    reason: 'an empty port is a missing port',
  },
  {
    value: 'proxy.corp',
    want: 'http://proxy.corp:80',
    codes: ['proxy-scheme-missing', 'proxy-port-missing'],
    reason: 'bare host: both warnings',
  },
  {
    value: 'localhost',
    want: 'http://localhost:80',
    codes: ['proxy-scheme-missing', 'proxy-port-missing'],
    reason: 'a single label is a host, not a scheme',
  },
  {
    value: 'http://proxy:0',
    want: 'http://proxy:0',
    codes: ['proxy-port-zero'],
    reason: 'port 0 stays 0 and is reported',
  },
  // rejected
  { value: 'ftp://proxy:21', want: null, reason: 'ftp is not a proxy protocol' },
  { value: 'foo://proxy:1', want: null, reason: 'unknown schemes are rejected, not preserved' },
  { value: 'socks4://proxy:1080', want: null, reason: 'socks4 is not accepted' },
  { value: 'http://proxy:3128/path', want: null, reason: 'paths are rejected' },
  { value: 'http://proxy:3128?x=1', want: null, reason: 'queries are rejected' },
  { value: 'http://proxy:3128#frag', want: null, reason: 'fragments are rejected' },
  { value: 'http://proxy:3128//', want: null, reason: 'only a lone slash is allowed' },
  { value: ' http://proxy:3128', want: null, reason: 'leading whitespace is rejected' },
  { value: 'http://proxy:3128\n', want: null, reason: 'a trailing newline is rejected' },
  { value: 'http://pro xy:3128', want: null, reason: 'inner whitespace is rejected' },
  { value: 'http://proxy\t:3128', want: null, reason: 'control characters are rejected' },
  {
    value: '"http://proxy:3128"',
    want: null,
    reason: 'quotes kept from a shell file are rejected',
  },
  {
    value: 'http://a@b@proxy:3128',
    want: null,
    reason: 'a bare @ in the credentials must be encoded',
  },
  {
    value: 'http://u:p:w@proxy:3128',
    want: null,
    reason: 'a bare : in the password must be encoded',
  },
  {
    value: 'http://u:p/w@proxy:3128',
    want: null,
    reason: 'a bare / in the password must be encoded',
  },
  { value: 'http://u:%zz@proxy:3128', want: null, reason: 'a broken percent-encoding is rejected' },
  { value: 'http://:3128', want: null, reason: 'the host is missing' },
  { value: 'http://', want: null, reason: 'nothing after the scheme' },
  { value: 'http://proxy:99999', want: null, reason: 'port out of range' },
  { value: 'http://proxy:31a8', want: null, reason: 'non-numeric port' },
  { value: 'http://proxy:-1', want: null, reason: 'negative port' },
  { value: 'http://::1:3128', want: null, reason: 'IPv6 must be bracketed' },
  { value: 'http://[::1:3128', want: null, reason: 'unclosed bracket' },
  { value: 'http://[zz::1]:3128', want: null, reason: 'not an IPv6 address inside brackets' },
  { value: 'http://[::1]x:3128', want: null, reason: 'text after the closing bracket' },
  { value: 'http://*.corp:3128', want: null, reason: 'wildcards are no host names' },
  {
    value: 'http://proxy.123:3128',
    want: null,
    reason: 'a numeric last label is an IPv4 address to URL parsers',
  },
  { value: 'http://1.2.3:3128', want: null, reason: 'a partial IPv4 address is no host' },
  { value: 'http://256.1.1.1:3128', want: null, reason: 'octet out of range' },
  { value: '1http://proxy:3128', want: null, reason: 'a scheme must start with a letter' },
];

describe('parseProxyUrl', () => {
  it.each(cases)('$value → $want ($reason)', (c) => {
    const { endpoint, diagnostics } = parseProxyUrl(c.value, 'HTTPS_PROXY');
    if (c.want === null) {
      expect(endpoint).toBeUndefined();
      expect(diagnostics.map((d) => d.code)).toEqual(['invalid-proxy-url']);
      expect(diagnostics[0]?.severity).toBe('error');
      expect(diagnostics[0]?.message).toContain('HTTPS_PROXY=');
      expect(diagnostics[0]?.message).toContain('<protocol>://<host>:<port>');
      return;
    }
    expect(endpoint?.url).toBe(c.want);
    expect(endpoint?.username).toBe(c.user);
    expect(endpoint?.password).toBe(c.password);
    expect(endpoint?.source).toBe('HTTPS_PROXY');
    expect(diagnostics.map((d) => d.code)).toEqual(c.codes ?? []);
    expect(diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });

  it('never quotes credentials in a diagnostic about a malformed value', () => {
    for (const value of [
      'ftp://alice:hunter2@proxy:21',
      'http://alice:hunter2@proxy:3128/path',
      'http://alice:hun/ter2@proxy:3128',
      'http://alice:hun:ter2@proxy:3128',
      'http://a@lice:hunter2@proxy:3128',
      'alice:hunter2@proxy',
    ]) {
      const { diagnostics } = parseProxyUrl(value, 'HTTP_PROXY');
      expect(diagnostics.length).toBeGreaterThan(0);
      for (const d of diagnostics) {
        expect(d.message).not.toMatch(/hunter|ter2|alice|lice/);
        expect(d.suggestion ?? '').not.toMatch(/hunter|ter2|alice/);
      }
    }
  });

  it('names the variable, shows the value and the accepted form', () => {
    const { diagnostics } = parseProxyUrl('foo://proxy:1', 'https_proxy');
    expect(diagnostics[0]?.message).toBe(
      'https_proxy="foo://proxy:1" cannot be used: the protocol "foo" is not a proxy protocol. The accepted form is <protocol>://<host>:<port> (protocol http, https, socks5 or socks5h), e.g. http://proxy.corp.example:3128.',
    );
  });
});
