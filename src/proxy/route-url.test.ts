import { describe, expect, it } from 'vitest';
import { type ProxySettingsInput, parseProxySettings } from './parse-proxy-settings.js';
import { routeUrl } from './route-url.js';

/** The settings each case routes against. */
const settings = {
  base: {
    env: {
      http_proxy: 'http://hp.corp:3128',
      https_proxy: 'http://alice:s3cret@sp.corp:3129',
      no_proxy: [
        'example.com',
        '.dot.example',
        '*.star.example',
        'bücher.de',
        '10.0.0.0/8',
        '192.168.1.1',
        '192.168.2.1:8080',
        '[2001:db8::1]:443',
        'fd00::/8',
        '2001:db8::5',
        'git.corp:8443',
        'trailing.example.',
      ].join(','),
    },
    internal: ['https://ci.corp.example:8443/', '169.254.169.254', 'blobs.internal'],
  },
  allOnly: { env: { ALL_PROXY: 'http://all.corp:8080', no_proxy: 'skip.example' } },
  httpOnly: { env: { http_proxy: 'http://hp.corp:3128' } },
  httpsOnly: { env: { https_proxy: 'http://sp.corp:3129' } },
  star: { env: { https_proxy: 'http://sp.corp:3129', no_proxy: 'a.example,*' } },
  cgiUpper: {
    env: { HTTP_PROXY: 'http://evil:1', ALL_PROXY: 'http://all.corp:8080', REQUEST_METHOD: '' },
  },
  cgiLower: { env: { http_proxy: 'http://hp.corp:3128', REQUEST_METHOD: 'GET' } },
  rejected: { env: { https_proxy: 'foo://x:1', all_proxy: 'http://all.corp:8080' } },
  rejectedAlone: { env: { https_proxy: 'http://x:1/path' } },
  off: { env: { https_proxy: 'http://sp.corp:3129' }, config: { off: true } },
  config: {
    env: { https_proxy: 'http://env.corp:1', no_proxy: 'env.example' },
    config: { https: 'http://cfg.corp:3128', noProxy: ['cfg.example'] },
  },
  proxyInternal: {
    env: { http_proxy: 'http://hp.corp:3128', https_proxy: 'http://sp.corp:3129' },
    config: { proxyInternal: ['127.0.0.1', 'https://ci.corp.example/'] },
    internal: ['https://ci.corp.example/', '169.254.169.254'],
  },
  socks: { env: { all_proxy: 'socks5h://socks.corp:1080' } },
  none: { env: {} },
  pairs: {
    env: {
      https_proxy: 'http://sp.corp:3129',
      no_proxy: '.df.example,df.example,*.st.example,st.example',
    },
  },
} satisfies Record<string, ProxySettingsInput>;

/**
 * One case a line: settings | URL | expected (a proxy URL, `direct` or `invalid`) | rule (`-`: not
 * checked) | warnings (`-`: not checked, `~`: none, else substrings joined by ` & `) | reason.
 */
const table = `
base          | http://github.com/                      | http://hp.corp:3128       | http_proxy                                    | -                        | http uses http_proxy
base          | https://github.com/                     | http://sp.corp:3129       | https_proxy                                   | -                        | https uses https_proxy, shown without credentials
base          | ws://github.com/socket                  | http://hp.corp:3128       | http_proxy                                    | -                        | ws follows http
base          | wss://github.com/socket                 | http://sp.corp:3129       | https_proxy                                   | -                        | wss follows https
base          | HTTPS://GitHub.COM/x                    | http://sp.corp:3129       | https_proxy                                   | -                        | scheme and host case do not matter
base          | https://github.com:8443/                | http://sp.corp:3129       | https_proxy                                   | -                        | explicit port, still proxied
base          | ftp://github.com/file                   | direct                    | scheme ftp: never proxied                     | -                        | other schemes never use an HTTP proxy
base          | git://github.com/repo                   | direct                    | scheme git: never proxied                     | -                        | git:// is not HTTP
base          | ssh://git@github.com/repo               | direct                    | scheme ssh: never proxied                     | -                        | ssh is not HTTP
base          | file:///etc/hosts                       | invalid                   | -                                             | -                        | a file URL has no host to route
base          | https://example.com/                    | direct                    | no_proxy: example.com                         | ~                        | bare domain matches its apex
base          | https://api.example.com/                | direct                    | no_proxy: example.com                         | proxy-from-env           | bare domain matches subdomains (Node differs)
base          | https://a.b.c.example.com/              | direct                    | no_proxy: example.com                         | -                        | deep subdomains
base          | https://notexample.com/                 | http://sp.corp:3129       | -                                             | -                        | no match without a label boundary
base          | https://example.com.evil.net/           | http://sp.corp:3129       | -                                             | -                        | a prefix is not a match
base          | https://example.co/                     | http://sp.corp:3129       | -                                             | -                        | a different TLD
base          | https://example.com./                   | direct                    | no_proxy: example.com                         | -                        | trailing dot of the host is stripped
base          | https://dot.example/                    | direct                    | no_proxy: .dot.example                        | Go, wget                 | .d matches the apex too (Go differs)
base          | https://x.dot.example/                  | direct                    | no_proxy: .dot.example                        | ~                        | .d matches subdomains, every tool agrees
base          | https://xdot.example/                   | http://sp.corp:3129       | -                                             | -                        | .d needs a label boundary
base          | https://star.example/                   | direct                    | no_proxy: *.star.example                      | curl, Python and npm     | *.d matches the apex too
base          | https://x.star.example/                 | direct                    | no_proxy: *.star.example                      | curl, Python and npm     | *.d matches subdomains (dead for curl)
base          | https://xstar.example/                  | http://sp.corp:3129       | -                                             | -                        | *.d needs a label boundary
base          | https://trailing.example/               | direct                    | no_proxy: trailing.example.                   | -                        | trailing dot of the entry is stripped
base          | https://www.bücher.de/                  | direct                    | no_proxy: bücher.de                           | -                        | IDN host matches IDN entry via punycode
base          | https://www.xn--bcher-kva.de/           | direct                    | no_proxy: bücher.de                           | -                        | punycode host matches IDN entry
base          | https://bucher.de/                      | http://sp.corp:3129       | -                                             | -                        | no accent folding
base          | https://git.corp:8443/repo              | direct                    | no_proxy: git.corp:8443                       | port-qualified           | host:port matches on that port
base          | https://git.corp/repo                   | http://sp.corp:3129       | -                                             | -                        | host:port does not match the default port
base          | http://git.corp:8443/                   | direct                    | no_proxy: git.corp:8443                       | -                        | the port matches whatever the scheme
base          | https://api.git.corp:8443/              | direct                    | no_proxy: git.corp:8443                       | -                        | subdomains with the same port
base          | https://api.git.corp:9443/              | http://sp.corp:3129       | -                                             | -                        | subdomain on another port
base          | http://10.1.2.3/                        | direct                    | no_proxy: 10.0.0.0/8                          | CIDR                     | IPv4 in a CIDR
base          | http://10.255.255.255:9000/             | direct                    | no_proxy: 10.0.0.0/8                          | -                        | last address of the block
base          | http://11.0.0.1/                        | http://hp.corp:3128       | -                                             | -                        | outside the block
base          | http://9.255.255.255/                   | http://hp.corp:3128       | -                                             | -                        | just below the block
base          | http://0x0a000001/                      | direct                    | no_proxy: 10.0.0.0/8                          | -                        | WHATWG reads hex IPv4 as 10.0.0.1
base          | http://10.1/                            | direct                    | no_proxy: 10.0.0.0/8                          | -                        | WHATWG reads 10.1 as 10.0.0.1
base          | http://192.168.1.1/                     | direct                    | no_proxy: 192.168.1.1                         | -                        | an exact IPv4
base          | http://192.168.1.10/                    | http://hp.corp:3128       | -                                             | -                        | no string-prefix match of IPs
base          | http://2192.168.1.1.example/            | http://hp.corp:3128       | -                                             | -                        | IP entries never match names
base          | http://192.168.2.1:8080/                | direct                    | no_proxy: 192.168.2.1:8080                    | -                        | IPv4:port on that port
base          | http://192.168.2.1/                     | http://hp.corp:3128       | -                                             | -                        | IPv4:port on another port
base          | https://[2001:db8::1]/                  | direct                    | no_proxy: [2001:db8::1]:443                   | -                        | [v6]:port with the https default port
base          | http://[2001:db8::1]/                   | http://hp.corp:3128       | -                                             | -                        | [v6]:443 does not match port 80
base          | https://[2001:db8:0:0::1]:443/          | direct                    | no_proxy: [2001:db8::1]:443                   | -                        | IPv6 compared as binary
base          | http://[2001:db8::5]/                   | direct                    | no_proxy: 2001:db8::5                         | -                        | bare IPv6 entry
base          | http://[2001:db8::6]/                   | http://hp.corp:3128       | -                                             | -                        | a neighbouring IPv6
base          | http://[fd00::1234]/                    | direct                    | no_proxy: fd00::/8                            | -                        | IPv6 in a CIDR
base          | http://[fd12:3456::1]/                  | direct                    | no_proxy: fd00::/8                            | -                        | fd00::/8 covers fdxx
base          | http://[fe80::1]/                       | http://hp.corp:3128       | -                                             | -                        | outside the IPv6 block
base          | http://[::ffff:10.0.0.1]/               | http://hp.corp:3128       | -                                             | -                        | an IPv4-mapped IPv6 is not IPv4
base          | https://10.0.0.1.nip.io/                | http://sp.corp:3129       | -                                             | -                        | a name that contains an IP is a name
base          | http://localhost:8080/                  | direct                    | implicit: localhost                           | -                        | localhost is always direct
base          | https://LOCALHOST/                      | direct                    | implicit: localhost                           | -                        | case-insensitive
base          | http://localhost./                      | direct                    | implicit: localhost                           | -                        | with a trailing dot
base          | http://app.localhost/                   | direct                    | implicit: localhost                           | -                        | *.localhost is direct (wider than Go)
base          | http://a.b.localhost:3000/              | direct                    | implicit: localhost                           | -                        | deep *.localhost
base          | http://localhost.example/               | http://hp.corp:3128       | -                                             | -                        | localhost as a prefix is not loopback
base          | http://mylocalhost/                     | http://hp.corp:3128       | -                                             | -                        | no label boundary
base          | http://127.0.0.1/                       | direct                    | implicit: 127.0.0.0/8                         | -                        | loopback IPv4
base          | http://127.8.9.10:1234/                 | direct                    | implicit: 127.0.0.0/8                         | -                        | all of 127/8
base          | http://127.1/                           | direct                    | implicit: 127.0.0.0/8                         | -                        | short loopback form
base          | http://128.0.0.1/                       | http://hp.corp:3128       | -                                             | -                        | just outside 127/8
base          | http://[::1]:8080/                      | direct                    | implicit: ::1                                 | -                        | loopback IPv6
base          | http://[0:0::1]/                        | direct                    | implicit: ::1                                 | -                        | loopback IPv6, other spelling
base          | http://[::2]/                           | http://hp.corp:3128       | -                                             | -                        | ::2 is not loopback
base          | http://0.0.0.0/                         | http://hp.corp:3128       | -                                             | -                        | 0.0.0.0 is not implicit
base          | https://ci.corp.example:8443/api        | direct                    | internal: ci.corp.example                     | -                        | the server's own URL
base          | https://ci.corp.example/                | direct                    | internal: ci.corp.example                     | -                        | any port of an internal host
base          | http://169.254.169.254/latest/meta-data | direct                    | internal: 169.254.169.254                     | -                        | the metadata IP
base          | https://blobs.internal/bucket/key       | direct                    | internal: blobs.internal                      | -                        | the blob store
base          | https://bucket.blobs.internal/key       | direct                    | internal: blobs.internal                      | -                        | virtual-hosted buckets
base          | http://169.254.169.253/                 | http://hp.corp:3128       | -                                             | -                        | a neighbour of the metadata IP
allOnly       | http://github.com/                      | http://all.corp:8080      | ALL_PROXY                                     | -                        | http falls back to all_proxy
allOnly       | https://github.com/                     | http://all.corp:8080      | ALL_PROXY                                     | -                        | https falls back to all_proxy
allOnly       | wss://github.com/                       | http://all.corp:8080      | ALL_PROXY                                     | -                        | wss falls back to all_proxy
allOnly       | ftp://github.com/                       | direct                    | scheme ftp: never proxied                     | -                        | all_proxy never serves other schemes
allOnly       | https://skip.example/                   | direct                    | no_proxy: skip.example                        | -                        | no_proxy still applies to all_proxy
httpOnly      | https://github.com/                     | direct                    | no proxy: https_proxy and all_proxy are unset | -                        | never fall back from https to http_proxy
httpOnly      | wss://github.com/                       | direct                    | no proxy: https_proxy and all_proxy are unset | -                        | nor from wss
httpOnly      | http://github.com/                      | http://hp.corp:3128       | -                                             | -                        | http still proxied
httpsOnly     | http://github.com/                      | direct                    | no proxy: http_proxy and all_proxy are unset  | -                        | http does not use https_proxy
httpsOnly     | https://github.com/                     | http://sp.corp:3129       | -                                             | -                        | https uses https_proxy
socks         | https://github.com/                     | socks5h://socks.corp:1080 | all_proxy                                     | -                        | a SOCKS all_proxy serves https
none          | https://github.com/                     | direct                    | no proxy: https_proxy and all_proxy are unset | -                        | nothing configured
none          | http://localhost/                       | direct                    | implicit: localhost                           | -                        | implicit rules even without a proxy
star          | https://github.com/                     | direct                    | no_proxy: *                                   | -                        | * anywhere bypasses everything
star          | https://a.example/                      | direct                    | no_proxy: a.example                           | -                        | an earlier entry is reported first
star          | http://10.0.0.1/                        | direct                    | no_proxy: *                                   | -                        | * also covers IPs
cgiUpper      | http://github.com/                      | http://all.corp:8080      | ALL_PROXY                                     | CGI                      | CGI: uppercase HTTP_PROXY ignored, all_proxy still applies
cgiUpper      | ws://github.com/                        | http://all.corp:8080      | -                                             | CGI                      | the guard covers ws
cgiUpper      | https://github.com/                     | http://all.corp:8080      | -                                             | ~                        | https is not affected
cgiLower      | http://github.com/                      | http://hp.corp:3128       | http_proxy                                    | ~                        | lowercase http_proxy is not guarded
rejected      | https://github.com/                     | http://all.corp:8080      | all_proxy                                     | https_proxy was rejected | a rejected https_proxy falls back to all_proxy
rejected      | http://github.com/                      | http://all.corp:8080      | -                                             | ~                        | http was never set
rejectedAlone | https://github.com/                     | direct                    | -                                             | https_proxy was rejected | rejected and nothing to fall back to
off           | https://github.com/                     | direct                    | proxy: off                                    | -                        | proxy: off wins
off           | http://localhost/                       | direct                    | proxy: off                                    | -                        | off is reported before implicit rules
config        | https://github.com/                     | http://cfg.corp:3128      | config.https                                  | -                        | configuration wins over the environment
config        | https://cfg.example/                    | direct                    | config.noProxy: cfg.example                   | -                        | configured noProxy is used
config        | https://env.example/                    | http://cfg.corp:3128      | -                                             | -                        | the environment noProxy is replaced
proxyInternal | http://127.0.0.1:8080/                  | http://hp.corp:3128       | -                                             | -                        | the operator sends loopback through the proxy
proxyInternal | http://127.0.0.2/                       | direct                    | implicit: 127.0.0.0/8                         | -                        | only the named host is overridden
proxyInternal | https://ci.corp.example/                | http://sp.corp:3129       | -                                             | -                        | an internal endpoint overridden
proxyInternal | http://169.254.169.254/                 | direct                    | internal: 169.254.169.254                     | -                        | other internal endpoints stay direct
base          | not a url                               | invalid                   | -                                             | -                        | not a URL
base          | /relative/path                          | invalid                   | -                                             | -                        | relative URLs cannot be routed
base          | http://                                 | invalid                   | -                                             | -                        | no host
base          | http://[::1/                            | invalid                   | -                                             | -                        | broken IPv6
base          | http://exa mple.com/                    | invalid                   | -                                             | -                        | space in the host
base          | http://256.0.0.1/                       | invalid                   | -                                             | -                        | an IPv4 out of range
base          | github.com                              | invalid                   | -                                             | -                        | no scheme
pairs         | https://df.example/                     | direct                    | no_proxy: .df.example                         | ~                        | .d at the apex, but d is listed too: no tool differs
pairs         | https://a.df.example/                   | direct                    | no_proxy: .df.example                         | ~                        | .d for a subdomain: every tool agrees
pairs         | https://a.st.example/                   | direct                    | no_proxy: *.st.example                        | ~                        | *.d is dead for curl, but the bare d covers it
`;

interface Case {
  readonly s: string;
  readonly url: string;
  readonly expected: string;
  readonly rule: string;
  readonly warn: string;
  readonly reason: string;
}

const cases: Case[] = table
  .trim()
  .split('\n')
  .map((line) => {
    const [s = '', url = '', expected = '', rule = '', warn = '', reason = ''] = line
      .split(' | ')
      .map((cell) => cell.trim());
    return { s, url, expected, rule, warn, reason };
  });

const policies = new Map(
  Object.entries(settings).map(([name, input]) => [name, parseProxySettings(input).policy]),
);

describe('routeUrl', () => {
  it('has a reason for every case', () => {
    expect(cases.length).toBeGreaterThan(100);
    for (const c of cases) expect(c.reason, c.url).not.toBe('');
  });

  it.each(cases)('[$s] $url → $expected ($reason)', (c) => {
    const policy = policies.get(c.s);
    if (!policy) throw new Error(`no settings ${c.s}`);
    const decision = routeUrl(policy, c.url);
    if (c.expected === 'invalid' || c.expected === 'direct') {
      expect(decision.route).toBe(c.expected);
    } else {
      expect(decision.route).toBe('proxy');
      if (decision.route === 'proxy') expect(decision.proxy).toBe(c.expected);
    }
    if (decision.route === 'invalid') {
      expect(decision.error).not.toBe('');
      return;
    }
    if (c.rule !== '-') expect(decision.rule).toBe(c.rule);
    if (c.warn === '~') expect(decision.warnings).toEqual([]);
    else if (c.warn !== '-') {
      const parts = c.warn.split(' & ');
      expect(decision.warnings).toHaveLength(parts.length);
      parts.forEach((w, i) => expect(decision.warnings[i]).toContain(w));
    }
  });

  it('keeps the credentials on the endpoint for the client, never in proxy or rule', () => {
    const policy = policies.get('base');
    if (!policy) throw new Error('no base');
    const decision = routeUrl(policy, 'https://github.com/');
    if (decision.route !== 'proxy') throw new Error('expected proxy');
    expect(decision.endpoint.username).toBe('alice');
    expect(decision.endpoint.password).toBe('s3cret');
    expect(JSON.stringify({ ...decision, endpoint: undefined })).not.toContain('s3cret');
  });

  it('accepts a URL object as well as a string', () => {
    const policy = policies.get('base');
    if (!policy) throw new Error('no base');
    expect(routeUrl(policy, new URL('https://example.com/')).route).toBe('direct');
  });
});
