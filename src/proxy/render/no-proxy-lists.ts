import { formatIp, formatIpv4, formatIpv6 } from '../ip-address.js';
import type { IpEntry, NoProxyEntry } from '../no-proxy-entry.js';
import type { ProxyDiagnostic } from '../proxy-diagnostic.js';

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * The NO_PROXY value for the environment (and Docker's `noProxy`): every domain `d` as both `d`
 * and `.d`, IPv6 both bare and bracketed, CIDRs as they are, never `*.d`. A `*` entry makes the
 * whole value `*`, the only spelling curl, Python and undici honour.
 */
export function envNoProxyList(entries: readonly NoProxyEntry[]): string {
  if (entries.some((e) => e.kind === 'all')) return '*';
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.kind === 'domain') {
      const suffix = entry.port === undefined ? '' : `:${entry.port}`;
      out.push(`${entry.domain}${suffix}`, `.${entry.domain}${suffix}`);
    } else if (entry.kind === 'ip') {
      if (entry.cidr) {
        out.push(entry.canonical);
      } else if (entry.network.family === 6) {
        const address = formatIpv6(entry.network.words);
        out.push(
          ...(entry.port === undefined
            ? [address, `[${address}]`]
            : [`[${address}]:${entry.port}`]),
        );
      } else {
        out.push(entry.canonical);
      }
    }
  }
  return dedupe(out).join(',');
}

/** npm's `noproxy`: npm matches labels, so `d` alone covers subdomains; no port entries. */
export function npmNoProxyList(
  entries: readonly NoProxyEntry[],
  variable: string,
): { value: string; diagnostics: ProxyDiagnostic[] } {
  if (entries.some((e) => e.kind === 'all')) return { value: '*', diagnostics: [] };
  const out: string[] = [];
  const dropped: string[] = [];
  for (const entry of entries) {
    if (entry.port !== undefined) {
      dropped.push(entry.canonical);
    } else if (entry.kind === 'domain') {
      out.push(entry.domain);
    } else if (entry.kind === 'ip' && !entry.cidr && entry.network.family === 6) {
      const address = formatIpv6(entry.network.words);
      out.push(address, `[${address}]`);
    } else {
      out.push(entry.canonical);
    }
  }
  return { value: dedupe(out).join(','), diagnostics: droppedWarning(dropped, variable, 'npm') };
}

function droppedWarning(dropped: readonly string[], variable: string, tool: string) {
  if (dropped.length === 0) return [];
  return [
    {
      severity: 'warning' as const,
      code: 'render-entry-dropped' as const,
      variable,
      message: `${tool} ignores port-qualified entries, so ${dropped.join(', ')} ${dropped.length === 1 ? 'is' : 'are'} left out; ${tool} sends those hosts to the proxy, which must route them (the local forward proxy does).`,
      tools: [tool],
    },
  ];
}

/** The JDK default, which setting the property replaces: always first. */
const jvmLoopback = ['localhost', '127.*', '[::1]'];

/** Up to this many addresses, a CIDR that is not on an octet boundary is listed address by address. */
const maxExpanded = 256;

function cidrToJvm(entry: IpEntry): string[] | undefined {
  const { network, prefix } = entry;
  if (network.family === 4) {
    const base = network.words[0] ?? 0;
    if (prefix === 0) return ['*'];
    if (prefix === 32) return [formatIpv4(base)];
    const octets = formatIpv4(base).split('.');
    if (prefix % 8 === 0) return [`${octets.slice(0, prefix / 8).join('.')}.*`];
    const count = 2 ** (32 - prefix);
    if (count > maxExpanded) return undefined;
    return Array.from({ length: count }, (_, i) => formatIpv4(base + i));
  }
  if (prefix === 128) return [`[${formatIp(network)}]`];
  if (prefix < 120) return undefined;
  const count = 2 ** (128 - prefix);
  const words = [...network.words];
  return Array.from({ length: count }, (_, i) => {
    const w = [...words];
    w[3] = (w[3] ?? 0) + i;
    return `[${formatIpv6(w)}]`;
  });
}

/**
 * `http.nonProxyHosts` for the JVM, Gradle and Maven (`|`-separated, `*` globs):
 * `localhost|127.*|[::1]` first; `d` becomes `d|*.d`; CIDRs on an octet boundary become globs
 * (`/8` → `a.*`), other CIDRs of at most 256 addresses are expanded, larger ones dropped with a
 * warning; IPv6 in brackets; port-qualified entries dropped with a warning (failing safe means
 * using the proxy); `*` stays `*`.
 */
export function jvmNonProxyHosts(
  entries: readonly NoProxyEntry[],
  variable: string,
): { value: string; diagnostics: ProxyDiagnostic[] } {
  const out: string[] = [...jvmLoopback];
  const portDropped: string[] = [];
  const cidrDropped: string[] = [];
  for (const entry of entries) {
    if (entry.origin === 'implicit') continue;
    if (entry.port !== undefined) {
      portDropped.push(entry.canonical);
      continue;
    }
    if (entry.kind === 'all') {
      out.push('*');
    } else if (entry.kind === 'domain') {
      out.push(entry.domain, `*.${entry.domain}`);
    } else if (entry.cidr) {
      const globs = cidrToJvm(entry);
      if (globs === undefined) cidrDropped.push(entry.canonical);
      else out.push(...globs);
    } else {
      out.push(entry.network.family === 6 ? `[${formatIp(entry.network)}]` : entry.canonical);
    }
  }
  const diagnostics: ProxyDiagnostic[] = droppedWarning(portDropped, variable, 'Java');
  if (cidrDropped.length > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'render-entry-dropped',
      variable,
      message: `Java has no CIDR syntax, and ${cidrDropped.join(', ')} ${cidrDropped.length === 1 ? 'is' : 'are'} neither on an octet boundary nor small enough (at most ${maxExpanded} addresses) to list, so ${cidrDropped.length === 1 ? 'it is' : 'they are'} left out; the JVM sends those addresses to the proxy.`,
      suggestion:
        'split the block into /8, /16 or /24 blocks, or let the local forward proxy route it',
      tools: ['Java'],
    });
  }
  return { value: dedupe(out).join('|'), diagnostics };
}
