import type { NoProxyEntry } from '../no-proxy-entry.js';
import { parseNoProxy } from '../parse-no-proxy.js';
import { parseProxyUrl } from '../parse-proxy-url.js';
import type { ProxyDiagnostic } from '../proxy-diagnostic.js';
import { type ProxyEndpoint, hasCredentials } from '../proxy-endpoint.js';
import type { ProxyPolicy } from '../proxy-policy.js';
import type { RenderOptions } from './rendered-config.js';

/** A proxy as a job's tools see it: never any credentials. */
export interface JobProxy {
  readonly protocol: ProxyEndpoint['protocol'];
  /** Host name, IPv4, or IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** `<protocol>://<host>:<port>`. */
  readonly url: string;
}

/** What every renderer starts from. */
export interface JobSettings {
  readonly http: JobProxy | undefined;
  readonly https: JobProxy | undefined;
  /** Only when `includeAllProxy` was asked for. */
  readonly all: JobProxy | undefined;
  /** Loopback first, then the user's NO_PROXY, the internal endpoints and the extra hosts;
   * one entry per canonical spelling. */
  readonly entries: readonly NoProxyEntry[];
  readonly diagnostics: readonly ProxyDiagnostic[];
}

/** The loopback entries every job list starts with (most tools do not bypass loopback). */
const loopback = parseNoProxy(['localhost', '127.0.0.1', '::1'], 'implicit', 'implicit').entries;

function strip(endpoint: ProxyEndpoint): JobProxy {
  return {
    protocol: endpoint.protocol,
    host: endpoint.host,
    port: endpoint.port,
    url: endpoint.url,
  };
}

/**
 * Resolves the proxies and the direct list a job gets. With `jobProxyUrl` (the runner's local
 * forward proxy) every scheme uses it; otherwise the policy's own proxies are used without their
 * credentials, with a warning when there were some.
 */
export function jobSettings(policy: ProxyPolicy, options: RenderOptions = {}): JobSettings {
  const diagnostics: ProxyDiagnostic[] = [];
  let http: JobProxy | undefined;
  let https: JobProxy | undefined;
  let all: JobProxy | undefined;

  if (policy.off) {
    diagnostics.push({
      severity: 'warning',
      code: 'render-no-proxy',
      variable: 'config.off',
      message: 'proxy is off in the configuration; jobs get no proxy settings.',
    });
  } else if (options.jobProxyUrl !== undefined) {
    const parsed = parseProxyUrl(options.jobProxyUrl, 'jobProxyUrl');
    diagnostics.push(...parsed.diagnostics);
    if (parsed.endpoint !== undefined) {
      if (hasCredentials(parsed.endpoint)) {
        diagnostics.push({
          severity: 'error',
          code: 'render-credentials-dropped',
          variable: 'jobProxyUrl',
          message: `the job proxy URL carries credentials; jobs get ${parsed.endpoint.url} without them, because no secret may enter a job's environment or files.`,
          suggestion: 'give jobs the credential-free URL of the local forward proxy',
        });
      }
      http = strip(parsed.endpoint);
      https = http;
      if (options.includeAllProxy) all = http;
    }
  } else {
    const h = policy.http ?? policy.all;
    const s = policy.https ?? policy.all;
    const withCredentials = [h, s, options.includeAllProxy ? policy.all : undefined].filter(
      (e): e is ProxyEndpoint => e !== undefined && hasCredentials(e),
    );
    if (withCredentials.length > 0) {
      const first = withCredentials[0] as ProxyEndpoint;
      diagnostics.push({
        severity: 'warning',
        code: 'render-credentials-dropped',
        variable: first.source,
        message: `${first.source} needs credentials, which never enter a job; jobs get ${first.url} without them, so their requests will be refused with 407 Proxy Authentication Required.`,
        suggestion:
          'run the runner with its local forward proxy and render with its URL (--proxy-url http://127.0.0.1:3128)',
      });
    }
    http = h && strip(h);
    https = s && strip(s);
    if (options.includeAllProxy && policy.all) all = strip(policy.all);
    if (!http && !https && !all) {
      diagnostics.push({
        severity: 'warning',
        code: 'render-no-proxy',
        variable: 'http_proxy',
        message:
          'no proxy is configured (http_proxy, https_proxy, all_proxy are unset); jobs get no proxy settings.',
      });
    }
  }

  const extra = parseNoProxy(options.noProxy ?? [], 'noProxy (job)', 'internal');
  diagnostics.push(...extra.diagnostics);
  const overridden = new Set(policy.proxyInternal.entries.map((e) => e.canonical));
  const seen = new Set<string>();
  const entries: NoProxyEntry[] = [];
  const candidates = [
    ...loopback,
    ...policy.noProxy.entries,
    ...policy.internal.entries.filter((e) => !overridden.has(e.canonical)),
    ...extra.entries,
  ];
  for (const entry of candidates) {
    if (seen.has(entry.canonical)) continue;
    seen.add(entry.canonical);
    entries.push(entry);
  }
  return { http, https, all, entries, diagnostics };
}
