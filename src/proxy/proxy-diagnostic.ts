/**
 * What parsing and linting proxy settings report. Nothing is silently ignored: every value that
 * was rejected, rewritten or read differently than a user might expect produces one of these.
 * Messages never contain credentials (values are quoted through `redactUrl`).
 */
export type ProxyDiagnosticCode =
  // parsing (errors unless noted)
  | 'invalid-proxy-url'
  | 'proxy-scheme-missing' // warning: host:port read as http://host:port
  | 'proxy-port-missing' // warning: default port applied
  | 'proxy-port-zero' // warning: port 0 kept
  | 'invalid-no-proxy-entry'
  | 'cidr-host-bits' // warning: masked to the network
  | 'invalid-internal-endpoint'
  | 'case-conflict' // warning: lowercase and uppercase both set and different
  | 'config-overrides-env' // warning
  | 'cgi-http-proxy-ignored' // warning
  | 'proxy-off' // warning: `proxy: off` while variables are set
  // lint (warnings): where tools read the same settings differently
  | 'uppercase-only'
  | 'all-proxy-only'
  | 'https-falls-back-to-http-proxy'
  | 'https-scheme-proxy'
  | 'socks-proxy'
  | 'credentials-in-proxy-url'
  | 'java-ignores-environment'
  | 'no-proxy-star-prefix'
  | 'no-proxy-leading-dot'
  | 'no-proxy-bare-domain'
  | 'no-proxy-cidr'
  | 'no-proxy-port'
  | 'no-proxy-wildcard-in-list'
  | 'no-proxy-whitespace'
  | 'no-proxy-ipv6-form'
  | 'no-proxy-idn'
  | 'no-proxy-missing-loopback'
  // rendering (warnings)
  | 'render-credentials-dropped'
  | 'render-entry-dropped'
  | 'render-https-proxy-for-jvm'
  | 'render-loopback-in-container'
  | 'render-no-proxy';

export interface ProxyDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: ProxyDiagnosticCode;
  /** The variable or setting concerned: `HTTPS_PROXY`, `no_proxy`, `config.https`, `internal`. */
  readonly variable: string;
  /** One sentence or two: what is wrong or different, and the consequence. No credentials. */
  readonly message: string;
  /** A rewrite or an action that fixes it. */
  readonly suggestion?: string;
  /** For lint: the tools that read the setting differently. */
  readonly tools?: readonly string[];
}

/** The accepted form of a proxy value, quoted in every message about a malformed one. */
export const acceptedProxyForm =
  '<protocol>://<host>:<port> (protocol http, https, socks5 or socks5h), e.g. http://proxy.corp.example:3128';

export function hasErrors(diagnostics: readonly ProxyDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
