import { describe, expect, it } from 'vitest';
import { parseNoProxy, splitNoProxy } from './parse-no-proxy.js';

interface Case {
  readonly entry: string;
  /** Canonical spelling, or null when the entry must be rejected. */
  readonly want: string | null;
  /** For domains: the form it was written in. For IPs: whether it is a CIDR. */
  readonly kind?: 'all' | 'domain' | 'ip';
  readonly form?: 'bare' | 'dot' | 'star';
  readonly warning?: boolean;
  readonly suggestion?: string;
  readonly reason: string;
}

const cases: readonly Case[] = [
  { entry: '*', want: '*', kind: 'all', reason: 'a lone star bypasses everything' },
  {
    entry: 'example.com',
    want: 'example.com',
    kind: 'domain',
    form: 'bare',
    reason: 'a bare domain',
  },
  {
    entry: '.example.com',
    want: 'example.com',
    kind: 'domain',
    form: 'dot',
    reason: 'leading dot: same rule, remembered for lint',
  },
  {
    entry: '*.example.com',
    want: 'example.com',
    kind: 'domain',
    form: 'star',
    reason: 'star-dot: same rule, remembered for lint',
  },
  { entry: 'EXAMPLE.com', want: 'example.com', kind: 'domain', reason: 'lowercased' },
  {
    entry: 'example.com.',
    want: 'example.com',
    kind: 'domain',
    reason: 'one trailing dot stripped',
  },
  {
    entry: '.example.com.',
    want: 'example.com',
    kind: 'domain',
    form: 'dot',
    reason: 'leading and trailing dots',
  },
  { entry: 'localhost', want: 'localhost', kind: 'domain', reason: 'a single label' },
  { entry: 'bücher.de', want: 'xn--bcher-kva.de', kind: 'domain', reason: 'IDN becomes punycode' },
  { entry: 'xn--bcher-kva.de', want: 'xn--bcher-kva.de', kind: 'domain', reason: 'punycode stays' },
  {
    entry: 'svc_a.internal',
    want: 'svc_a.internal',
    kind: 'domain',
    reason: 'underscores are allowed',
  },
  { entry: 'example.com:8080', want: 'example.com:8080', kind: 'domain', reason: 'host:port' },
  {
    entry: '.example.com:443',
    want: 'example.com:443',
    kind: 'domain',
    form: 'dot',
    reason: 'dot form with a port',
  },
  {
    entry: 'docker:2375',
    want: 'docker:2375',
    kind: 'domain',
    reason: 'the dind example of the GitLab docs',
  },
  { entry: '10.0.0.1', want: '10.0.0.1', kind: 'ip', reason: 'an IPv4 literal' },
  { entry: '10.0.0.1:8080', want: '10.0.0.1:8080', kind: 'ip', reason: 'IPv4 with port' },
  { entry: '169.254.169.254', want: '169.254.169.254', kind: 'ip', reason: 'the metadata address' },
  { entry: '::1', want: '::1', kind: 'ip', reason: 'bare IPv6' },
  { entry: '[::1]', want: '::1', kind: 'ip', reason: 'bracketed IPv6' },
  {
    entry: '0:0::1',
    want: '::1',
    kind: 'ip',
    reason: 'IPv6 is compared as binary, written canonically',
  },
  {
    entry: '[2001:db8::1]:8443',
    want: '[2001:db8::1]:8443',
    kind: 'ip',
    reason: 'bracketed IPv6 with port',
  },
  {
    entry: '2001:DB8:0:0:0:0:0:1',
    want: '2001:db8::1',
    kind: 'ip',
    reason: 'full IPv6 compressed',
  },
  { entry: '::ffff:10.0.0.1', want: '::ffff:a00:1', kind: 'ip', reason: 'IPv4-mapped IPv6' },
  { entry: '10.0.0.0/8', want: '10.0.0.0/8', kind: 'ip', reason: 'IPv4 CIDR' },
  { entry: '192.168.0.0/16', want: '192.168.0.0/16', kind: 'ip', reason: '/16' },
  { entry: '0.0.0.0/0', want: '0.0.0.0/0', kind: 'ip', reason: 'the whole IPv4 space' },
  { entry: '10.1.2.3/32', want: '10.1.2.3/32', kind: 'ip', reason: 'a /32 CIDR' },
  {
    entry: '192.168.0.1/24',
    want: '192.168.0.0/24',
    kind: 'ip',
    warning: true,
    reason: 'host bits are masked, with a warning',
  },
  {
    entry: '10.255.255.255/8',
    want: '10.0.0.0/8',
    kind: 'ip',
    warning: true,
    reason: 'masking a /8',
  },
  { entry: 'fd00::/8', want: 'fd00::/8', kind: 'ip', reason: 'IPv6 CIDR' },
  { entry: '[fd00::]/8', want: 'fd00::/8', kind: 'ip', reason: 'bracketed IPv6 CIDR' },
  {
    entry: '2001:db8::1/32',
    want: '2001:db8::/32',
    kind: 'ip',
    warning: true,
    reason: 'IPv6 host bits masked',
  },
  // rejected
  {
    entry: '10.*',
    want: null,
    suggestion: 'use the CIDR 10.0.0.0/8',
    reason: 'IP globs are rejected with a CIDR suggestion',
  },
  {
    entry: '192.168.*',
    want: null,
    suggestion: 'use the CIDR 192.168.0.0/16',
    reason: 'two-octet glob',
  },
  { entry: '*example.com', want: null, reason: 'a star not followed by a dot' },
  { entry: 'foo.*', want: null, reason: 'trailing wildcards' },
  { entry: 'a.*.b', want: null, reason: 'inner wildcards' },
  { entry: '**.example.com', want: null, reason: 'double star' },
  {
    entry: '1.2.3',
    want: null,
    suggestion: 'use the CIDR 1.2.3.0/24',
    reason: 'partial IPs (the wget/urllib suffix quirk) are rejected',
  },
  { entry: '10', want: null, suggestion: 'use the CIDR 10.0.0.0/8', reason: 'a single number' },
  { entry: '.2.3', want: null, reason: 'a dot-prefixed IP fragment' },
  { entry: '010.0.0.1', want: null, reason: 'leading zeros are ambiguous (octal)' },
  { entry: '256.0.0.1', want: null, reason: 'octet out of range' },
  { entry: '1.2.3.4.5', want: null, reason: 'five numeric labels' },
  { entry: 'host.123', want: null, reason: 'a numeric last label never names a host' },
  { entry: 'ex%41mple.com', want: null, reason: 'percent-encoding in a name' },
  { entry: 'example.com:0', want: null, reason: 'port 0 in an entry' },
  { entry: 'example.com:http', want: null, reason: 'a named port' },
  { entry: 'example.com:65536', want: null, reason: 'port out of range' },
  { entry: '10.0.0.0/33', want: null, reason: 'IPv4 prefix out of range' },
  { entry: 'fd00::/129', want: null, reason: 'IPv6 prefix out of range' },
  { entry: '10.0.0.0/x', want: null, reason: 'non-numeric prefix' },
  { entry: 'example.com/24', want: null, reason: 'a CIDR of a name' },
  { entry: '[::1', want: null, reason: 'unclosed bracket' },
  { entry: '[10.0.0.1]', want: null, reason: 'brackets around IPv4' },
  { entry: '[::1]:x', want: null, reason: 'bad port after brackets' },
  { entry: '1:2:3:4:5:6:7:8:9', want: null, reason: 'too many IPv6 groups' },
  { entry: 'a..b', want: null, reason: 'an empty label' },
  { entry: '-bad.example', want: null, reason: 'a label starting with a hyphen' },
  { entry: 'ex!ample.com', want: null, reason: 'punctuation in a name' },
  { entry: '.', want: null, reason: 'a lone dot' },
];

describe('parseNoProxy entries', () => {
  it.each(cases)('$entry → $want ($reason)', (c) => {
    const { entries, diagnostics } = parseNoProxy(c.entry, 'NO_PROXY');
    if (c.want === null) {
      expect(entries).toEqual([]);
      expect(diagnostics.map((d) => [d.severity, d.code])).toEqual([
        ['error', 'invalid-no-proxy-entry'],
      ]);
      expect(diagnostics[0]?.variable).toBe('NO_PROXY');
      if (c.suggestion !== undefined) expect(diagnostics[0]?.suggestion).toBe(c.suggestion);
      return;
    }
    expect(entries).toHaveLength(1);
    const entry = entries[0];
    expect(entry?.canonical).toBe(c.want);
    if (c.kind) expect(entry?.kind).toBe(c.kind);
    if (c.form && entry?.kind === 'domain') expect(entry.form).toBe(c.form);
    expect(entry?.rule).toBe(`NO_PROXY: ${c.entry}`);
    expect(diagnostics.map((d) => d.code)).toEqual(c.warning ? ['cidr-host-bits'] : []);
  });
});

describe('splitNoProxy', () => {
  it.each([
    { value: 'a,b', want: ['a', 'b'], reason: 'commas' },
    { value: 'a, b ,c', want: ['a', 'b', 'c'], reason: 'blanks around commas' },
    { value: 'a b\tc\nd', want: ['a', 'b', 'c', 'd'], reason: 'any whitespace separates' },
    { value: ',,a,,', want: ['a'], reason: 'empty entries are dropped' },
    { value: '', want: [], reason: 'empty value' },
  ])('$value ($reason)', ({ value, want }) => {
    expect(splitNoProxy(value)).toEqual(want);
  });

  it('accepts a list of values (explicit configuration)', () => {
    expect(splitNoProxy(['a,b', ' c '])).toEqual(['a', 'b', 'c']);
  });

  it('keeps the good entries of a list with bad ones, indexed in order', () => {
    const { entries, diagnostics } = parseNoProxy('a.example, 10.*, b.example', 'no_proxy');
    expect(entries.map((e) => [e.canonical, e.index])).toEqual([
      ['a.example', 0],
      ['b.example', 1],
    ]);
    expect(diagnostics).toHaveLength(1);
  });
});
