import type { NoProxyEntry } from './no-proxy-entry.js';
import type { EntryMatch, NoProxyMatcher, RequestHost } from './no-proxy-matcher.js';
import { parseRequestUrl } from './parse-request-url.js';
import type { ProxyEndpoint } from './proxy-endpoint.js';
import { type ProxyPolicy, implicitEntries } from './proxy-policy.js';

interface DecisionBase {
  /** What decided, e.g. `no_proxy: .corp.example`, `implicit: localhost`, `https_proxy`. */
  readonly rule: string;
  /** Things the caller should know about this decision (CGI guard, fallbacks, tools that
   * would decide otherwise). Never contains credentials. */
  readonly warnings: readonly string[];
}

export interface DirectDecision extends DecisionBase {
  readonly route: 'direct';
  /** The NO_PROXY, internal or implicit entry that decided, when one did. */
  readonly entry?: NoProxyEntry;
}

export interface ProxyDecision extends DecisionBase {
  readonly route: 'proxy';
  /** The proxy as `<protocol>://<host>:<port>`, never with credentials. */
  readonly proxy: string;
  /** The endpoint, with credentials, for the client that connects. Never print it. */
  readonly endpoint: ProxyEndpoint;
}

/** A URL that does not parse (WHATWG) cannot be routed. */
export interface InvalidUrlDecision {
  readonly route: 'invalid';
  /** Why, without credentials. */
  readonly error: string;
  readonly rule?: undefined;
  readonly warnings: readonly string[];
}

export type RouteDecision = DirectDecision | ProxyDecision | InvalidUrlDecision;

const none: readonly string[] = Object.freeze([]);

const [implicitLocalhost, implicitLoopback4, implicitLoopback6] = implicitEntries;

/** The implicit bypass, inlined for speed: localhost, *.localhost, 127.0.0.0/8, ::1. */
function implicitEntry(host: RequestHost): NoProxyEntry | undefined {
  if (host.kind === 'name') {
    const n = host.name;
    return n === 'localhost' || n.endsWith('.localhost') ? implicitLocalhost : undefined;
  }
  const w = host.words;
  if (host.family === 4) return (w[0] ?? 0) >>> 24 === 127 ? implicitLoopback4 : undefined;
  return w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 1 ? implicitLoopback6 : undefined;
}

function frozen(list: string[]): readonly string[] {
  return list.length === 0 ? none : Object.freeze(list);
}

const warningCache = new WeakMap<
  NoProxyEntry,
  { apex?: readonly string[]; sub?: readonly string[] }
>();

/** What other tools would do differently for a URL this entry matched (cached per entry). */
function entryWarnings(match: EntryMatch, matcher: NoProxyMatcher): readonly string[] {
  const entry = match.entry;
  if (entry.origin !== 'no-proxy') return none;
  let cached = warningCache.get(entry);
  if (cached === undefined) {
    cached = {};
    warningCache.set(entry, cached);
  }
  const key = match.apex ? 'apex' : 'sub';
  const hit = cached[key];
  if (hit !== undefined) return hit;
  const computed = computeEntryWarnings(match, matcher);
  cached[key] = computed;
  return computed;
}

function computeEntryWarnings(match: EntryMatch, matcher: NoProxyMatcher): readonly string[] {
  const entry = match.entry;
  const out: string[] = [];
  if (entry.kind === 'domain') {
    // Another spelling of the same domain in the list covers the tools this one misses.
    const forms = matcher.domainForms(entry.domain, entry.port);
    if (entry.form === 'star' && !forms.has('bare') && !forms.has('dot')) {
      out.push(
        `curl, Python and npm read "${entry.text}" as a literal name and would send this URL through the proxy; write "${entry.domain},.${entry.domain}"`,
      );
    } else if (entry.form === 'dot' && match.apex && !forms.has('bare')) {
      out.push(
        `Go, wget, Ruby, Docker and proxy-from-env do not match ${entry.domain} itself with "${entry.text}" and would send this URL through the proxy; also list "${entry.domain}"`,
      );
    } else if (entry.form === 'bare' && !match.apex && !forms.has('dot') && !forms.has('star')) {
      out.push(
        `proxy-from-env and Node's built-in proxy support match "${entry.text}" only exactly and would send this URL through the proxy; also list ".${entry.domain}"`,
      );
    }
  } else if (entry.kind === 'ip' && entry.cidr) {
    out.push(
      `Java, Node, wget and curl before 7.86 ignore the CIDR "${entry.text}" and would send this URL through the proxy`,
    );
  }
  if (entry.port !== undefined) {
    out.push(
      `curl, wget, git, Java and npm ignore the port-qualified entry "${entry.text}" and would send this URL through the proxy`,
    );
  }
  return frozen(out);
}

function direct(rule: string, warnings: readonly string[], entry?: NoProxyEntry): DirectDecision {
  return entry === undefined
    ? { route: 'direct', rule, warnings }
    : { route: 'direct', rule, warnings, entry };
}

/**
 * Decides the route of one URL: direct, or which proxy, and which rule decided. Order:
 * `proxy: off`; the implicit loopback bypass and internal endpoints (unless the operator's
 * `proxyInternal` names the host); NO_PROXY (for every scheme, CONNECT included); then the
 * scheme's variable (`http_proxy` for http:/ws:, `https_proxy` for https:/wss:), falling back to
 * `all_proxy` only; other schemes are never proxied. Purely syntactic: no DNS.
 */
export function routeUrl(policy: ProxyPolicy, url: string | URL): RouteDecision {
  const parsed = parseRequestUrl(url);
  if (!parsed.ok) return { route: 'invalid', error: parsed.error, warnings: none };
  if (policy.off) return direct('proxy: off', none);
  const { protocol, host, port } = parsed.target;

  if (policy.proxyInternal.size === 0 || policy.proxyInternal.match(host, port) === undefined) {
    const implicit = implicitEntry(host);
    if (implicit !== undefined) return direct(implicit.rule, none, implicit);
    if (policy.internal.size > 0) {
      const internal = policy.internal.match(host, port);
      if (internal !== undefined) return direct(internal.entry.rule, none, internal.entry);
    }
  }
  if (policy.noProxy.size > 0) {
    const match = policy.noProxy.match(host, port);
    if (match !== undefined) {
      return direct(match.entry.rule, entryWarnings(match, policy.noProxy), match.entry);
    }
  }

  let endpoint: ProxyEndpoint | undefined;
  let rejected: string | undefined;
  let cgi = false;
  if (protocol === 'http:' || protocol === 'ws:') {
    endpoint = policy.http ?? policy.all;
    rejected = policy.rejected.http;
    cgi = policy.cgiGuard;
  } else if (protocol === 'https:' || protocol === 'wss:') {
    endpoint = policy.https ?? policy.all;
    rejected = policy.rejected.https;
  } else {
    return direct(`scheme ${protocol.slice(0, -1)}: never proxied`, none);
  }
  const warnings: string[] = [];
  if (cgi) warnings.push('REQUEST_METHOD is set: HTTP_PROXY is ignored for this URL (CGI guard)');
  if (rejected !== undefined) {
    warnings.push(
      endpoint === undefined
        ? `${rejected} was rejected (malformed), so this URL goes direct`
        : `${rejected} was rejected (malformed), so ${endpoint.source} is used instead`,
    );
  }
  if (endpoint === undefined) {
    const variable = protocol === 'http:' || protocol === 'ws:' ? 'http_proxy' : 'https_proxy';
    return direct(`no proxy: ${variable} and all_proxy are unset`, frozen(warnings));
  }
  return {
    route: 'proxy',
    proxy: endpoint.url,
    endpoint,
    rule: endpoint.source,
    warnings: frozen(warnings),
  };
}
