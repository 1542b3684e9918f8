/** A proxy server as Airlock's own clients use it. */
export type ProxyProtocol = 'http' | 'https' | 'socks5' | 'socks5h';

export interface ProxyEndpoint {
  readonly protocol: ProxyProtocol;
  /** Lowercase host name (punycode), dotted-quad IPv4, or IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** Percent-decoded once. Never print: use `url`. */
  readonly username?: string;
  /** Percent-decoded once. Never print: use `url`. */
  readonly password?: string;
  /** `<protocol>://<host>:<port>`, IPv6 in brackets. Never carries credentials. */
  readonly url: string;
  /** The variable or setting it came from: `https_proxy`, `HTTPS_PROXY`, `config.https`. */
  readonly source: string;
}

/** Whether the endpoint carries credentials (a user, a password or both). */
export function hasCredentials(endpoint: ProxyEndpoint): boolean {
  return endpoint.username !== undefined || endpoint.password !== undefined;
}

/** `host` for a URL or a `host:port` pair: IPv6 in brackets. */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
