/**
 * Proxy policy (pure): proxy settings → route decisions, explanations, lint, and configs for the
 * tools inside jobs. The rules are in `shared/specs/proxy-rules.md` and docs/proxies.md.
 *
 * Stable public API:
 *
 * - `parseProxySettings({ env?, config?, internal? }) → { policy, diagnostics }`
 *   Reads `http_proxy`, `https_proxy`, `all_proxy`, `no_proxy` (lowercase first, then uppercase;
 *   empty = unset) and `REQUEST_METHOD` from `env`, and/or explicit `config`
 *   (`{ http, https, all, noProxy, off, proxyInternal }`, which wins over the environment).
 *   `internal` lists endpoints that always go direct (the server's URL, the blob store,
 *   `169.254.169.254`) unless `config.proxyInternal` names them. Never throws: malformed values
 *   are `severity: 'error'` diagnostics and are treated as unset.
 * - `routeUrl(policy, url) → RouteDecision`: `{ route: 'direct' | 'proxy', proxy?, rule,
 *   warnings }` (or `route: 'invalid'` with `error` for a URL that does not parse). `proxy` is
 *   the credential-free URL; `endpoint` (proxy only) carries the credentials for the client.
 * - `lintProxySettings(input) → ProxyDiagnostic[]`: the parse diagnostics plus where curl, wget,
 *   Go, Python, Java, Node, Docker and git read the same settings differently.
 * - `renderForJob(policy, target, options) → RenderedConfig`: env and files for `env`, `jvm`,
 *   `gradle`, `maven`, `docker`, `git`, `npm`, `apt`; data only, never credentials.
 *
 * Credentials are redacted with `redactUrl` (src/shared/redact-url.ts) wherever a value is quoted.
 */
export { lintProxySettings } from './lint-proxy-settings.js';
export type { NoProxyEntry } from './no-proxy-entry.js';
export {
  type ParsedProxySettings,
  type ProxyConfig,
  type ProxySettingsInput,
  parseProxySettings,
} from './parse-proxy-settings.js';
export { parseProxyUrl } from './parse-proxy-url.js';
export {
  type ProxyDiagnostic,
  type ProxyDiagnosticCode,
  acceptedProxyForm,
  hasErrors,
} from './proxy-diagnostic.js';
export {
  type ProxyEndpoint,
  type ProxyProtocol,
  hasCredentials,
  hostForUrl,
} from './proxy-endpoint.js';
export { type ProxyPolicy, policyEndpoints } from './proxy-policy.js';
export { renderForJob } from './render/render-for-job.js';
export {
  type RenderOptions,
  type RenderTarget,
  type RenderedConfig,
  type RenderedFile,
  isRenderTarget,
  renderTargets,
} from './render/rendered-config.js';
export {
  type DirectDecision,
  type InvalidUrlDecision,
  type ProxyDecision,
  type RouteDecision,
  routeUrl,
} from './route-url.js';
