import { redactUrl } from '../shared/redact-url.js';
import { normalizeHostName } from './host-name.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip-address.js';
import { type ProxyDiagnostic, acceptedProxyForm } from './proxy-diagnostic.js';
import { type ProxyEndpoint, type ProxyProtocol, hostForUrl } from './proxy-endpoint.js';

export interface ParsedProxyUrl {
  /** Undefined when the value was rejected (an error diagnostic says why). */
  readonly endpoint: ProxyEndpoint | undefined;
  readonly diagnostics: readonly ProxyDiagnostic[];
}

const defaultPorts: Readonly<Record<ProxyProtocol, number>> = {
  http: 80,
  https: 443,
  socks5: 1080,
  socks5h: 1080,
};

const schemeRe = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const blankOrControl = /[\x00-\x20\x7f]/;

function isProxyProtocol(value: string): value is ProxyProtocol {
  return value === 'http' || value === 'https' || value === 'socks5' || value === 'socks5h';
}

function decodeOnce(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses one proxy value (`http_proxy` and friends) strictly, as the proxy rules say:
 * `<protocol>://[user[:password]@]<host>[:<port>][/]`. A scheme-less `host:port` is read as
 * `http://host:port` with a warning; a missing port gets the protocol's default with a warning.
 * Everything else that is off (unknown scheme, path, query, whitespace, bare `@` or `:` in the
 * credentials) is an error, and the endpoint is undefined.
 *
 * @param variable the variable or setting name, quoted in every diagnostic.
 */
export function parseProxyUrl(value: string, variable: string): ParsedProxyUrl {
  const diagnostics: ProxyDiagnostic[] = [];
  const shown = JSON.stringify(redactUrl(value));
  const reject = (problem: string, suggestion?: string): ParsedProxyUrl => {
    diagnostics.push({
      severity: 'error',
      code: 'invalid-proxy-url',
      variable,
      message: `${variable}=${shown} cannot be used: ${problem}. The accepted form is ${acceptedProxyForm}.`,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
    return { endpoint: undefined, diagnostics };
  };

  if (blankOrControl.test(value)) {
    return reject('it contains whitespace or a control character', 'remove the blanks and quotes');
  }

  let protocol: ProxyProtocol = 'http';
  let rest = value;
  const scheme = schemeRe.exec(value);
  if (scheme) {
    const name = (scheme[1] ?? '').toLowerCase();
    if (!isProxyProtocol(name)) return reject(`the protocol "${name}" is not a proxy protocol`);
    protocol = name;
    rest = value.slice(scheme[0].length);
  } else if (value.includes('://')) {
    return reject('the protocol is not a valid name');
  }

  let authorityEnd = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '/' || c === '?' || c === '#') {
      authorityEnd = i;
      break;
    }
  }
  const authority = rest.slice(0, authorityEnd);
  const after = rest.slice(authorityEnd);
  if (after !== '' && after !== '/') {
    if (after.includes('@')) {
      return reject(
        'the user or password contains a bare "/", "?" or "#"',
        'percent-encode it in the credentials: "/" as %2F, "?" as %3F, "#" as %23',
      );
    }
    return reject(
      `it has a path, query or fragment (${JSON.stringify(after)}); a proxy is only a host and a port`,
      'remove everything after the port',
    );
  }

  let hostPort = authority;
  let username: string | undefined;
  let password: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    hostPort = authority.slice(at + 1);
    if (userinfo.includes('@')) {
      return reject('the user or password contains a bare "@"', 'percent-encode it as %40');
    }
    const colon = userinfo.indexOf(':');
    const rawUser = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    const rawPassword = colon >= 0 ? userinfo.slice(colon + 1) : undefined;
    if (rawPassword?.includes(':')) {
      return reject('the password contains a bare ":"', 'percent-encode it as %3A');
    }
    username = decodeOnce(rawUser);
    password = rawPassword === undefined ? undefined : decodeOnce(rawPassword);
    if (username === undefined || (rawPassword !== undefined && password === undefined)) {
      return reject(
        'the user or password has an invalid percent-encoding',
        'write a literal "%" as %25',
      );
    }
  }

  let hostText: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return reject('the IPv6 address has no closing "]"');
    hostText = hostPort.slice(1, close);
    const tail = hostPort.slice(close + 1);
    if (tail !== '' && !tail.startsWith(':')) return reject('unexpected text after the "]"');
    portText = tail === '' ? undefined : tail.slice(1);
    if (parseIpv6(hostText) === undefined) {
      return reject(`"${hostText}" is not an IPv6 address`);
    }
  } else {
    const colon = hostPort.lastIndexOf(':');
    hostText = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
    if (hostText.includes(':')) {
      return reject('an IPv6 address must be written in brackets', 'write it as http://[::1]:3128');
    }
  }
  if (hostText === '') return reject('the host is missing');

  let host: string;
  const v6 = hostPort.startsWith('[') ? parseIpv6(hostText) : undefined;
  if (v6 !== undefined) {
    host = formatIpv6(v6);
  } else {
    const v4 = parseIpv4(hostText);
    if (v4 !== undefined) {
      host = formatIpv4(v4);
    } else {
      const name = normalizeHostName(hostText);
      if (!name.ok) return reject(name.reason);
      host = name.name;
    }
  }

  let port: number;
  if (portText === undefined || portText === '') {
    port = defaultPorts[protocol];
  } else if (/^\d{1,5}$/.test(portText) && Number(portText) <= 65535) {
    port = Number(portText);
  } else {
    return reject(`the port "${portText}" is not a number from 1 to 65535`);
  }

  const url = `${protocol}://${hostForUrl(host)}:${port}`;
  if (!scheme) {
    diagnostics.push({
      severity: 'warning',
      code: 'proxy-scheme-missing',
      variable,
      message: `${variable}=${shown} has no protocol; Airlock reads it as ${url}, as curl, Go, requests and git do. Python's urllib would use the request's scheme to talk to the proxy, and Node's undici cannot parse it.`,
      suggestion: `${variable}=${url}`,
      tools: ['Python', 'Node'],
    });
  }
  if (portText === undefined || portText === '') {
    diagnostics.push({
      severity: 'warning',
      code: 'proxy-port-missing',
      variable,
      message: `${variable}=${shown} has no port; Airlock uses ${port}, the ${protocol} default. curl uses 1080 for every proxy without a port.`,
      suggestion: `${variable}=${url}`,
      tools: ['curl'],
    });
  } else if (port === 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'proxy-port-zero',
      variable,
      message: `${variable}=${shown} has port 0, which no proxy listens on; it is kept as 0, so every connection through it fails.`,
      suggestion: `${variable}=${protocol}://${hostForUrl(host)}:3128 (with the proxy's real port)`,
    });
  }

  const endpoint: ProxyEndpoint = {
    protocol,
    host,
    port,
    url,
    source: variable,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
  return { endpoint, diagnostics };
}
