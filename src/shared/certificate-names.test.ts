import { type PeerCertificate, checkServerIdentity } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { canonicalHost, hostMatchesCertificate, parseSubjectAltName } from './certificate-names.js';

describe('parseSubjectAltName', () => {
  it.each([
    ['nothing', undefined, [], []],
    [
      "Node's plain form",
      'DNS:a.example, IP Address:127.0.0.1, DNS:*.w.example',
      ['a.example', '*.w.example'],
      ['127.0.0.1'],
    ],
    [
      'IPv6 written in full becomes canonical',
      'IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:0:A',
      [],
      ['::1', 'fd00::a'],
    ],
    ['other entry types are skipped', 'email:x@y, URI:https://a/, DNS:b', ['b'], []],
    [
      'a JSON-quoted value with a comma',
      'DNS:"a,b.example", DNS:c.example',
      ['a,b.example', 'c.example'],
      [],
    ],
  ])('%s', (_why, text, dns, ips) => {
    expect(parseSubjectAltName(text)).toEqual({ dnsNames: dns, ipAddresses: ips });
  });
});

describe('canonicalHost', () => {
  it.each([
    ['Example.COM.', 'example.com'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['127.0.0.1', '127.0.0.1'],
  ])('%s → %s', (input, output) => {
    expect(canonicalHost(input)).toBe(output);
  });
});

/** The subject and subjectaltname `tls.checkServerIdentity` reads, built from the same names. */
function peer(dns: readonly string[], ips: readonly string[], cn?: string): PeerCertificate {
  const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP Address:${i}`)].join(', ');
  return {
    subject: cn === undefined ? {} : { CN: cn },
    ...(san ? { subjectaltname: san } : {}),
  } as unknown as PeerCertificate;
}

describe('hostMatchesCertificate agrees with tls.checkServerIdentity', () => {
  const cases: [
    string,
    string,
    readonly string[],
    readonly string[],
    string | undefined,
    boolean,
  ][] = [
    ['exact name', 'ci.example.com', ['ci.example.com'], [], undefined, true],
    [
      'case and trailing dot do not matter',
      'CI.Example.com.',
      ['ci.example.com'],
      [],
      undefined,
      true,
    ],
    ['a wildcard covers one label', 'ci.example.com', ['*.example.com'], [], undefined, true],
    [
      'a wildcard does not cover the bare domain',
      'example.com',
      ['*.example.com'],
      [],
      undefined,
      false,
    ],
    [
      'a wildcard does not cover two labels',
      'a.b.example.com',
      ['*.example.com'],
      [],
      undefined,
      false,
    ],
    ['no wildcard for a whole public suffix', 'example.com', ['*.com'], [], undefined, false],
    [
      'a partial wildcard in the first label',
      'ci1.example.com',
      ['ci*.example.com'],
      [],
      undefined,
      true,
    ],
    [
      'a wildcard only in the left-most label',
      'a.b.example.com',
      ['a.*.example.com'],
      [],
      undefined,
      false,
    ],
    ['another name', 'ci.example.com', ['www.example.com'], [], undefined, false],
    [
      'an IP address matches an IP entry',
      '127.0.0.1',
      ['localhost'],
      ['127.0.0.1'],
      undefined,
      true,
    ],
    ['an IP address never matches a DNS entry', '127.0.0.1', ['127.0.0.1'], [], undefined, false],
    ['IPv6 in any spelling', '::1', [], ['0:0:0:0:0:0:0:1'], undefined, true],
    ['the CN counts without DNS entries', 'ci.example.com', [], [], 'ci.example.com', true],
    [
      'the CN is ignored when DNS entries exist',
      'ci.example.com',
      ['other.example.com'],
      [],
      'ci.example.com',
      false,
    ],
    ['the CN never matches an IP address', '127.0.0.1', [], [], '127.0.0.1', false],
    ['nothing at all', 'ci.example.com', [], [], undefined, false],
  ];

  it.each(cases)('%s', (_why, host, dns, ips, cn, expected) => {
    const ours = hostMatchesCertificate(host, {
      dnsNames: dns,
      ipAddresses: parseSubjectAltName(ips.map((i) => `IP Address:${i}`).join(', ')).ipAddresses,
      commonName: cn,
    });
    expect(ours).toBe(expected);
    const nodes = checkServerIdentity(canonicalHost(host), peer(dns, ips, cn)) === undefined;
    expect(nodes).toBe(expected);
  });
});
