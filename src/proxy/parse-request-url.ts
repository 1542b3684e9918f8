import { domainToASCII } from 'node:url';
import { parseIpv4, parseIpv6 } from './ip-address.js';
import type { RequestHost } from './no-proxy-matcher.js';

/** What routing needs of a request URL. */
export interface RequestTarget {
  /** With the colon, as WHATWG URL writes it: `https:`. */
  readonly protocol: string;
  readonly host: RequestHost;
  /** The effective port: explicit, else the scheme's default, else 0. */
  readonly port: number;
}

export type ParsedRequestUrl =
  | { readonly ok: true; readonly target: RequestTarget }
  | { readonly ok: false; readonly error: string };

const defaultPorts: Readonly<Record<string, number>> = {
  'http:': 80,
  'https:': 443,
  'ws:': 80,
  'wss:': 443,
  'ftp:': 21,
};

const special = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

/** Normalises a URL's hostname for matching: no brackets, no trailing dot, punycode. */
export function requestHostOf(hostname: string, specialScheme = true): RequestHost | undefined {
  if (hostname.startsWith('[')) {
    const words = parseIpv6(hostname.slice(1, -1));
    return words === undefined ? undefined : { kind: 'ip', family: 6, words };
  }
  let name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (!specialScheme) {
    name = name.toLowerCase();
    if (/[^\x20-\x7e]/.test(name)) name = domainToASCII(name) || name;
  }
  const last = name.charCodeAt(name.length - 1);
  if (last >= 48 && last <= 57) {
    const v4 = parseIpv4(name);
    if (v4 !== undefined) return { kind: 'ip', family: 4, words: [v4] };
  }
  return { kind: 'name', name };
}

const schemes: readonly (readonly [string, string])[] = [
  ['https://', 'https:'],
  ['http://', 'http:'],
  ['wss://', 'wss:'],
  ['ws://', 'ws:'],
];

/**
 * The common shape `http(s)|ws(s)://host[:port][/?#…]` with a lowercase ASCII host, read
 * without building a URL object. Anything WHATWG parsing could change or reject (uppercase,
 * userinfo, percent-encoding, punycode, IPv6, numeric last labels other than a plain dotted
 * quad, whitespace, backslashes) returns undefined and takes the full parser.
 */
function fastTarget(url: string): RequestTarget | undefined {
  let protocol: string | undefined;
  let i = 0;
  for (const [prefix, name] of schemes) {
    if (url.startsWith(prefix)) {
      protocol = name;
      i = prefix.length;
      break;
    }
  }
  if (protocol === undefined) return undefined;
  const start = i;
  for (; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95 || c === 46) continue;
    break;
  }
  if (i === start) return undefined;
  const end = i;
  let port = defaultPorts[protocol] ?? 0;
  if (i < url.length && url.charCodeAt(i) === 58) {
    let value = 0;
    let digits = 0;
    for (i++; i < url.length; i++) {
      const c = url.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      if (++digits > 5) return undefined;
    }
    if (digits === 0 || value > 65535) return undefined;
    port = value;
  }
  if (i < url.length) {
    const c = url.charCodeAt(i);
    if (c !== 47 && c !== 63 && c !== 35) return undefined;
  }
  let host = url.slice(start, end);
  if (host.includes('xn--')) return undefined;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') return undefined;
  const label = host.slice(host.lastIndexOf('.') + 1);
  const first = label.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    // WHATWG reads a numeric last label as IPv4 (octal, hex, short forms): only a plain
    // dotted quad is taken here.
    if (/^\d+$/.test(label) || /^0x[0-9a-f]*$/.test(label)) {
      const v4 = parseIpv4(host);
      return v4 === undefined
        ? undefined
        : { protocol, host: { kind: 'ip', family: 4, words: [v4] }, port };
    }
  }
  return { protocol, host: { kind: 'name', name: host }, port };
}

const invalid = 'not a valid URL (expected an absolute URL such as https://host/path)';

/** Reads the protocol, normalised host and effective port of a request URL (WHATWG rules). */
export function parseRequestUrl(url: string | URL): ParsedRequestUrl {
  if (typeof url === 'string') {
    const fast = fastTarget(url);
    if (fast !== undefined) return { ok: true, target: fast };
  }
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return { ok: false, error: invalid };
  }
  const protocol = parsed.protocol;
  const host =
    parsed.hostname === '' ? undefined : requestHostOf(parsed.hostname, special.has(protocol));
  if (host === undefined) return { ok: false, error: 'the URL has no valid host' };
  const port = parsed.port === '' ? (defaultPorts[protocol] ?? 0) : Number(parsed.port);
  return { ok: true, target: { protocol, host, port } };
}
