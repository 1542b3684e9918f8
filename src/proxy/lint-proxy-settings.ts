import { formatIpv6 } from './ip-address.js';
import type { DomainEntry, NoProxyEntry } from './no-proxy-entry.js';
import { parseNoProxy } from './parse-no-proxy.js';
import { type ProxySettingsInput, parseProxySettings } from './parse-proxy-settings.js';
import type { ProxyDiagnostic } from './proxy-diagnostic.js';
import { hasCredentials } from './proxy-endpoint.js';
import { policyEndpoints } from './proxy-policy.js';
import { envNoProxyList } from './render/no-proxy-lists.js';

const nonEmpty = (v: string | undefined): v is string => v !== undefined && v !== '';

function joined(value: string | readonly string[] | undefined): string | undefined {
  return value === undefined || typeof value === 'string' ? value : value.join(',');
}

function quoteList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

function caseDiagnostics(env: Readonly<Record<string, string | undefined>>): ProxyDiagnostic[] {
  const out: ProxyDiagnostic[] = [];
  for (const lower of ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy']) {
    const upper = lower.toUpperCase();
    const uv = env[upper];
    if (nonEmpty(env[lower]) || !nonEmpty(uv)) continue;
    const tools = lower === 'http_proxy' ? ['curl', 'wget', 'git'] : ['wget'];
    const why =
      lower === 'http_proxy'
        ? 'curl (and so git) ignores uppercase HTTP_PROXY on purpose, and wget reads only lowercase names'
        : 'wget reads only lowercase names';
    out.push({
      severity: 'warning',
      code: 'uppercase-only',
      variable: upper,
      message: `${upper} is set but ${lower} is not: ${why}, so for ${tools.join(', ')} this setting does not exist.`,
      suggestion: `set both to the same value: ${lower}="$${upper}"`,
      tools,
    });
  }
  return out;
}

function domainRewrite(entries: readonly NoProxyEntry[]): string {
  return envNoProxyList(entries.filter((e) => e.kind !== 'all'));
}

function noProxyDiagnostics(
  entries: readonly NoProxyEntry[],
  variable: string,
  raw: string | undefined,
): ProxyDiagnostic[] {
  const out: ProxyDiagnostic[] = [];
  const rewrite = `${variable}=${domainRewrite(entries)}`;
  const domains = entries.filter((e): e is DomainEntry => e.kind === 'domain');
  const star = domains.filter((e) => e.form === 'star');
  if (star.length > 0) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-star-prefix',
      variable,
      message: `${quoteList(star.map((e) => e.text))}: curl, Python and npm read "*.d" as a literal name that never matches, so they send these hosts to the proxy; Airlock, Go, Docker and Node read it as the domain and its subdomains.`,
      suggestion: rewrite,
      tools: ['curl', 'Python', 'npm'],
    });
  }
  const bareNames = new Set(domains.filter((e) => e.form === 'bare').map((e) => e.canonical));
  const dot = domains.filter((e) => e.form === 'dot' && !bareNames.has(e.canonical));
  if (dot.length > 0) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-leading-dot',
      variable,
      message: `${quoteList(dot.map((e) => e.text))}: Go, Docker, wget, Ruby and proxy-from-env match only the subdomains, not the domain itself; Airlock, curl and Python match both.`,
      suggestion: rewrite,
      tools: ['Go', 'Docker', 'wget', 'Ruby', 'Node'],
    });
  }
  const dotted = new Set(domains.filter((e) => e.form !== 'bare').map((e) => e.canonical));
  const bare = domains.filter((e) => e.form === 'bare' && !dotted.has(e.canonical));
  if (bare.length > 0) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-bare-domain',
      variable,
      message: `${quoteList(bare.map((e) => e.text))}: proxy-from-env and Node's built-in proxy support match only the exact name, not its subdomains; Airlock, curl, Go, Python and undici match both.`,
      suggestion: rewrite,
      tools: ['Node'],
    });
  }
  const cidr = entries.filter((e) => e.kind === 'ip' && e.cidr);
  if (cidr.length > 0) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-cidr',
      variable,
      message: `${quoteList(cidr.map((e) => e.text))}: Java, Node, wget and curl before 7.86 ignore CIDR blocks and send those addresses to the proxy; Airlock, Go, Docker, Python requests and Ruby honour them.`,
      suggestion:
        'keep the CIDR for the tools that read it; for the JVM use `airlock proxy render --target jvm`, which turns octet-aligned blocks into globs (10.0.0.0/8 → 10.*)',
      tools: ['Java', 'Node', 'wget', 'curl'],
    });
  }
  const port = entries.filter((e) => e.port !== undefined);
  if (port.length > 0) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-port',
      variable,
      message: `${quoteList(port.map((e) => e.text))}: curl, wget, git, Java and npm ignore port-qualified entries and send those hosts to the proxy; Airlock, Go and Docker honour the port.`,
      suggestion:
        'list the host without a port if every port may go direct; otherwise let the local forward proxy route it',
      tools: ['curl', 'wget', 'git', 'Java', 'npm'],
    });
  }
  if (entries.some((e) => e.kind === 'all') && entries.length > 1) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-wildcard-in-list',
      variable,
      message: `"*" inside a list bypasses the proxy for everything in Airlock, Go and Node, but curl, Python and undici honour "*" only as the whole value and use the proxy for hosts not otherwise listed.`,
      suggestion: `${variable}=*`,
      tools: ['curl', 'Python', 'Node'],
    });
  }
  if (raw !== undefined && /[^\s,]\s+[^\s,]/.test(raw.trim())) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-whitespace',
      variable,
      message: `${variable} separates entries with blanks: curl stops at the first blank, and Go and Node read "a b" as one entry that matches nothing.`,
      suggestion: `${variable}=${domainRewrite(entries)}`,
      tools: ['curl', 'Go', 'Node'],
    });
  }
  const v6 = entries.filter((e) => e.kind === 'ip' && !e.cidr && e.network.family === 6);
  const texts = new Set(entries.map((e) => e.text.toLowerCase()));
  const oneForm = v6.filter((e) => {
    if (e.kind !== 'ip') return false;
    const address = formatIpv6(e.network.words);
    return !(texts.has(address) && texts.has(`[${address}]`)) && e.port === undefined;
  });
  if (oneForm.length > 0) {
    const both = oneForm.flatMap((e) => {
      const a = e.kind === 'ip' ? formatIpv6(e.network.words) : e.canonical;
      return [a, `[${a}]`];
    });
    out.push({
      severity: 'warning',
      code: 'no-proxy-ipv6-form',
      variable,
      message: `${quoteList(oneForm.map((e) => e.text))}: tools disagree on brackets: Node's undici compares "[::1]", curl and Python compare "::1".`,
      suggestion: `list both forms: ${both.join(',')}`,
      tools: ['Node', 'curl', 'Python'],
    });
  }
  const idn = domains.filter((e) => e.idn);
  if (idn.length > 0) {
    out.push({
      severity: 'warning',
      code: 'no-proxy-idn',
      variable,
      message: `${quoteList(idn.map((e) => e.text))}: international names are compared as text by curl, wget and Python, which see the punycode form in URLs and never match.`,
      suggestion: `write the punycode form: ${idn.map((e) => e.domain).join(',')}`,
      tools: ['curl', 'wget', 'Python'],
    });
  }
  return out;
}

const loopbackEntries = parseNoProxy(
  ['localhost', '127.0.0.1', '::1'],
  'implicit',
  'implicit',
).entries;

function loopbackDiagnostic(entries: readonly NoProxyEntry[], variable: string) {
  if (entries.some((e) => e.kind === 'all')) return [];
  const has = (canonical: string) => entries.some((e) => e.canonical === canonical);
  const missing = ['localhost', '127.0.0.1', '::1'].filter((c) => !has(c));
  if (missing.length === 0) return [];
  return [
    {
      severity: 'warning' as const,
      code: 'no-proxy-missing-loopback' as const,
      variable,
      message: `${variable} does not list ${missing.join(', ')}: Airlock and Go bypass loopback on their own, but curl, wget, Python and Node send requests for it to the proxy, which cannot reach this host's loopback.`,
      suggestion: `${variable}=${domainRewrite([...loopbackEntries, ...entries])}`,
      tools: ['curl', 'wget', 'Python', 'Node'],
    },
  ];
}

/**
 * Everything `parseProxySettings` reports, plus where the settings mean different things to
 * curl, wget, Go, Python, Java, Node, Docker and git, each with the tools named and a suggested
 * rewrite. Lint findings are warnings; malformed values stay errors.
 */
export function lintProxySettings(input: ProxySettingsInput): ProxyDiagnostic[] {
  const env = input.env ?? {};
  const { policy, diagnostics } = parseProxySettings(input);
  const out: ProxyDiagnostic[] = [...diagnostics, ...caseDiagnostics(env)];
  const endpoints = policyEndpoints(policy);

  if (policy.all && (!policy.http || !policy.https)) {
    const missing = [!policy.http && 'http_proxy', !policy.https && 'https_proxy'].filter(Boolean);
    out.push({
      severity: 'warning',
      code: 'all-proxy-only',
      variable: policy.all.source,
      message: `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} unset, so Airlock, curl and Python use ${policy.all.source}; Go, Docker, wget, Java and Node do not read all_proxy and go direct.`,
      suggestion: missing.map((m) => `${m}=${policy.all?.url}`).join(' '),
      tools: ['Go', 'Docker', 'wget', 'Java', 'Node'],
    });
  }
  if (policy.http && !policy.https && !policy.all) {
    out.push({
      severity: 'warning',
      code: 'https-falls-back-to-http-proxy',
      variable: policy.http.source,
      message: `https_proxy is unset: Airlock, curl, Go and Python send https URLs direct, but Node's undici (EnvHttpProxyAgent) and global-agent send them through ${policy.http.source}.`,
      suggestion: `set https_proxy explicitly (https_proxy=${policy.http.url} if that proxy handles CONNECT), or list the hosts in no_proxy`,
      tools: ['Node'],
    });
  }
  for (const endpoint of endpoints) {
    if (endpoint.protocol === 'https') {
      out.push({
        severity: 'warning',
        code: 'https-scheme-proxy',
        variable: endpoint.source,
        message: `${endpoint.source} is an https:// proxy (TLS to the proxy itself): Java, Maven and Gradle only talk plain HTTP to a proxy, and wget and older Python requests cannot use it.`,
        suggestion: `use http://${endpoint.url.slice('https://'.length)} if the proxy also listens for plain HTTP`,
        tools: ['Java', 'wget', 'Python'],
      });
    } else if (endpoint.protocol === 'socks5' || endpoint.protocol === 'socks5h') {
      out.push({
        severity: 'warning',
        code: 'socks-proxy',
        variable: endpoint.source,
        message: `${endpoint.source} is a SOCKS proxy: wget cannot use it, and Java needs socksProxyHost/socksProxyPort instead of http.proxyHost.`,
        suggestion: 'use `airlock proxy render --target jvm` for the JVM options',
        tools: ['wget', 'Java'],
      });
    }
    if (hasCredentials(endpoint)) {
      out.push({
        severity: 'warning',
        code: 'credentials-in-proxy-url',
        variable: endpoint.source,
        message: `${endpoint.source} carries credentials: every program and job that inherits the environment sees them (ps e, env dumps in logs), and Java and Maven cannot take them from the URL at all.`,
        suggestion:
          "give jobs the runner's credential-free local forward proxy (e.g. http://127.0.0.1:3128) and keep the credentials only in the runner's configuration",
        tools: ['Java', 'Maven'],
      });
    }
  }
  if (endpoints.length > 0) {
    out.push({
      severity: 'warning',
      code: 'java-ignores-environment',
      variable: endpoints[0]?.source ?? 'http_proxy',
      message:
        'Java, Maven and Gradle ignore the proxy variables: without system properties or settings files they connect direct.',
      suggestion:
        'airlock proxy render --target jvm (and --target gradle, --target maven) for the equivalent settings',
      tools: ['Java', 'Maven', 'Gradle'],
    });
  }
  const variable = policy.noProxySource ?? 'no_proxy';
  const raw =
    policy.noProxySource === undefined
      ? undefined
      : (env[policy.noProxySource] ?? joined(input.config?.noProxy));
  out.push(...noProxyDiagnostics(policy.noProxy.entries, variable, raw));
  if (endpoints.length > 0) out.push(...loopbackDiagnostic(policy.noProxy.entries, variable));
  return out;
}
