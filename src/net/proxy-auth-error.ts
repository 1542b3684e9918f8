import type { ProxyEndpoint } from '../proxy/index.js';
import { hasCredentials } from '../proxy/index.js';
import { AppError } from '../shared/app-error.js';

/**
 * The error for a proxy's 407 answer, said plainly: which proxy (credential-free URL), which
 * setting it came from, whether credentials were sent, and what the proxy asked for. Never
 * contains the credentials.
 */
export function proxyAuthError(endpoint: ProxyEndpoint, proxyAuthenticate?: string): AppError {
  const scheme = (proxyAuthenticate ?? '').trim().split(/\s+/)[0] ?? '';
  const asks = scheme === '' ? '' : ` (it asks for ${scheme})`;
  const unsupported = scheme !== '' && !/^basic$/i.test(scheme);
  const sent = hasCredentials(endpoint);
  const message = sent
    ? `the proxy ${endpoint.url} answered 407 Proxy Authentication Required${asks}: it rejected the user and password from ${endpoint.source}; they are wrong, expired, or not allowed to use this proxy`
    : `the proxy ${endpoint.url} answered 407 Proxy Authentication Required${asks}: it needs credentials, and ${endpoint.source} has none`;
  const hint = unsupported
    ? `Airlock sends Basic credentials only; for ${scheme}, run a local proxy that speaks it (such as cntlm) and point ${endpoint.source} at it`
    : sent
      ? `check the user and password in ${endpoint.source}; percent-encode "@", ":" and "/" in them (as %40, %3A, %2F)`
      : `set ${endpoint.source} to ${endpoint.protocol}://USER:PASSWORD@${endpoint.url.slice(endpoint.protocol.length + 3)}, or use the runner's local forward proxy`;
  return new AppError('PROXY_AUTH_REQUIRED', message, {
    hint,
    details: { proxy: endpoint.url, source: endpoint.source, credentialsSent: sent },
  });
}
