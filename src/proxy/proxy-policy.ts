import type { NoProxyEntry } from './no-proxy-entry.js';
import type { NoProxyMatcher } from './no-proxy-matcher.js';
import { parseNoProxy } from './parse-no-proxy.js';
import type { ProxyEndpoint } from './proxy-endpoint.js';

/**
 * The one proxy policy of a process: which proxy serves which scheme, which hosts go direct.
 * Built by `parseProxySettings` (never by hand), read by `routeUrl` and the renderers.
 * Immutable.
 */
export interface ProxyPolicy {
  /** `proxy: off` in the configuration: every URL goes direct. */
  readonly off: boolean;
  /** For http: and ws: URLs. */
  readonly http: ProxyEndpoint | undefined;
  /** For https: and wss: URLs. */
  readonly https: ProxyEndpoint | undefined;
  /** Fallback for either scheme when its own variable is unset. */
  readonly all: ProxyEndpoint | undefined;
  /** The user's NO_PROXY entries, in order. */
  readonly noProxy: NoProxyMatcher;
  /** The variable NO_PROXY was read from (`no_proxy`, `NO_PROXY`, `config.noProxy`), if any. */
  readonly noProxySource: string | undefined;
  /** Endpoints the caller declared internal (server URL, blob store, metadata IP): direct. */
  readonly internal: NoProxyMatcher;
  /** The operator's override: hosts that go through the proxy even if implicit or internal. */
  readonly proxyInternal: NoProxyMatcher;
  /** REQUEST_METHOD is set and an uppercase HTTP_PROXY was ignored for http:/ws: URLs. */
  readonly cgiGuard: boolean;
  /** Variables whose value was rejected, by scheme, so routes can say why all_proxy served. */
  readonly rejected: { readonly http?: string; readonly https?: string };
}

/** The implicit bypass every Airlock client applies: localhost, *.localhost, 127.0.0.0/8, ::1. */
export const implicitEntries: readonly NoProxyEntry[] = parseNoProxy(
  ['localhost', '127.0.0.0/8', '::1'],
  'implicit',
  'implicit',
).entries;

/** Every proxy endpoint of the policy, without duplicates by URL and credentials. */
export function policyEndpoints(policy: ProxyPolicy): ProxyEndpoint[] {
  const out: ProxyEndpoint[] = [];
  for (const e of [policy.http, policy.https, policy.all]) {
    if (e === undefined) continue;
    if (
      out.some((o) => o.url === e.url && o.username === e.username && o.password === e.password)
    ) {
      continue;
    }
    out.push(e);
  }
  return out;
}
