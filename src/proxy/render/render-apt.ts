import { formatIp } from '../ip-address.js';
import type { ProxyDiagnostic } from '../proxy-diagnostic.js';
import type { JobSettings } from './job-settings.js';
import type { RenderedConfig } from './rendered-config.js';

/**
 * `/etc/apt/apt.conf.d/95airlock-proxy`: apt does not see the job's environment under `sudo`,
 * so it needs config. The proxy URL is written in full (`<protocol>://<host>:<port>/`), and
 * hosts that go direct get a per-host `"DIRECT"`. apt has no suffix or CIDR rules: subdomains,
 * CIDRs, IPv6 literals (the `::` of the key syntax) and port-qualified entries cannot be
 * expressed and are reported.
 */
export function renderApt(settings: JobSettings): RenderedConfig {
  const variable = 'apt.conf';
  const diagnostics: ProxyDiagnostic[] = [...settings.diagnostics];
  if (!settings.http && !settings.https) {
    return { target: 'apt', env: {}, files: [], diagnostics };
  }
  const lines: string[] = [];
  const schemes = [
    ['http', settings.http],
    ['https', settings.https],
  ] as const;
  for (const [scheme, proxy] of schemes) {
    if (proxy) lines.push(`Acquire::${scheme}::Proxy "${proxy.url}/";`);
  }
  const partial: string[] = [];
  const skipped: string[] = [];
  for (const entry of settings.entries) {
    if (entry.origin === 'implicit') continue;
    let host: string | undefined;
    if (entry.port !== undefined || entry.kind === 'all') {
      skipped.push(entry.canonical);
    } else if (entry.kind === 'domain') {
      host = entry.domain;
      partial.push(entry.domain);
    } else if (entry.cidr || entry.network.family === 6) {
      skipped.push(entry.canonical);
    } else {
      host = formatIp(entry.network);
    }
    if (host === undefined) continue;
    for (const [scheme, proxy] of schemes) {
      if (proxy) lines.push(`Acquire::${scheme}::Proxy::${host} "DIRECT";`);
    }
  }
  if (partial.length > 0 || skipped.length > 0) {
    const parts: string[] = [];
    if (partial.length > 0) {
      parts.push(
        `only the names themselves go direct, not their subdomains (${partial.join(', ')})`,
      );
    }
    if (skipped.length > 0) parts.push(`${skipped.join(', ')} cannot be expressed`);
    diagnostics.push({
      severity: 'warning',
      code: 'render-entry-dropped',
      variable,
      message: `apt has per-host DIRECT only: ${parts.join('; ')}. apt sends those hosts to the proxy.`,
      suggestion:
        'let the local forward proxy route internal mirrors direct, or list each mirror host',
      tools: ['apt'],
    });
  }
  return {
    target: 'apt',
    env: {},
    files: [
      {
        path: '/etc/apt/apt.conf.d/95airlock-proxy',
        content: `${lines.join('\n')}\n`,
        merge: false,
      },
    ],
    diagnostics,
  };
}
