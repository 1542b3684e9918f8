import { normalizeHostName } from './host-name.js';
import { type IpAddress, formatIp, ipEquals, maskIp, parseIp, parseIpv4 } from './ip-address.js';
import type { DomainForm, EntryOrigin, NoProxyEntry } from './no-proxy-entry.js';
import type { ProxyDiagnostic } from './proxy-diagnostic.js';

export interface ParsedNoProxy {
  readonly entries: readonly NoProxyEntry[];
  readonly diagnostics: readonly ProxyDiagnostic[];
}

type EntryResult =
  | { readonly ok: true; readonly entry: NoProxyEntry; readonly warning?: string }
  | { readonly ok: false; readonly reason: string; readonly suggestion?: string };

interface EntryContext {
  readonly origin: EntryOrigin;
  readonly variable: string;
  readonly index: number;
}

/** Splits a NO_PROXY value: on `,` and on any whitespace; trimmed; empty entries dropped. */
export function splitNoProxy(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? [value] : value;
  const out: string[] = [];
  for (const item of items) {
    for (const part of item.split(/[\s,]+/)) if (part !== '') out.push(part);
  }
  return out;
}

function ruleOf(ctx: EntryContext, text: string): string {
  if (ctx.origin === 'no-proxy') return `${ctx.variable}: ${text}`;
  if (ctx.origin === 'proxy-internal') return `proxyInternal: ${text}`;
  return `${ctx.origin}: ${text}`;
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

function ipEntry(
  ctx: EntryContext,
  text: string,
  ip: IpAddress,
  prefix: number,
  cidr: boolean,
  port: number | undefined,
): NoProxyEntry {
  const address = formatIp(ip);
  let canonical = cidr ? `${address}/${prefix}` : address;
  if (port !== undefined)
    canonical = ip.family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
  return {
    kind: 'ip',
    text,
    canonical,
    network: ip,
    prefix,
    cidr,
    origin: ctx.origin,
    variable: ctx.variable,
    index: ctx.index,
    rule: ruleOf(ctx, text),
    ...(port === undefined ? {} : { port }),
  };
}

function parseCidr(ctx: EntryContext, text: string, lower: string): EntryResult {
  const slash = lower.indexOf('/');
  let addressText = lower.slice(0, slash);
  const prefixText = lower.slice(slash + 1);
  if (addressText.startsWith('[') && addressText.endsWith(']'))
    addressText = addressText.slice(1, -1);
  const ip = parseIp(addressText);
  if (ip === undefined) {
    return {
      ok: false,
      reason: `"${text}" is not a CIDR block: "${addressText}" is not an IP address`,
      suggestion: 'write a CIDR as 10.0.0.0/8 or fd00::/8',
    };
  }
  const max = ip.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return {
      ok: false,
      reason: `"${text}" is not a CIDR block: the prefix length must be a number from 0 to ${max}`,
    };
  }
  const prefix = Number(prefixText);
  const network = maskIp(ip, prefix);
  const entry = ipEntry(ctx, text, network, prefix, true, undefined);
  if (!ipEquals(network, ip)) {
    return {
      ok: true,
      entry,
      warning: `"${text}" has host bits set; it is read as ${entry.canonical}`,
    };
  }
  return { ok: true, entry };
}

function parseHostEntry(
  ctx: EntryContext,
  text: string,
  hostText: string,
  port: number | undefined,
): EntryResult {
  let host = hostText.endsWith('.') ? hostText.slice(0, -1) : hostText;
  let form: DomainForm = 'bare';
  if (host.startsWith('*.')) {
    form = 'star';
    host = host.slice(2);
  } else if (host.startsWith('.')) {
    form = 'dot';
    host = host.slice(1);
  }
  if (host.includes('*')) {
    const v4prefix = /^(\d{1,3}(?:\.\d{1,3}){0,2})\.\*$/.exec(host);
    const bits = v4prefix ? (v4prefix[1] ?? '').split('.').length * 8 : 0;
    const network = v4prefix ? `${v4prefix[1]}${'.0'.repeat(4 - bits / 8)}/${bits}` : '';
    const suggestion = v4prefix
      ? `use the CIDR ${network}`
      : host.startsWith('*')
        ? `use "${host.replace(/^\*+\.?/, '')}", which covers the domain and its subdomains`
        : 'list the domains themselves; "example.com" covers every subdomain';
    return {
      ok: false,
      reason: `"${text}" uses a wildcard Airlock does not accept; "*" is allowed only alone or as a leading "*."`,
      suggestion,
    };
  }
  const labels = host.split('.');
  if (labels.every((l) => /^\d+$/.test(l))) {
    const v4 = parseIpv4(host);
    if (v4 !== undefined && form === 'bare') {
      return { ok: true, entry: ipEntry(ctx, text, { family: 4, words: [v4] }, 32, false, port) };
    }
    if (labels.length === 4 && v4 === undefined) {
      return {
        ok: false,
        reason: `"${text}" is not an IPv4 address (each part 0-255, no leading zeros, which some tools read as octal)`,
      };
    }
    if (labels.length < 4 && form === 'bare') {
      const bits = labels.length * 8;
      return {
        ok: false,
        reason: `"${text}" is a partial IP address; Airlock matches IP addresses exactly (the string-suffix reading of wget and Python's urllib is not used)`,
        suggestion: `use the CIDR ${host}${'.0'.repeat(4 - labels.length)}/${bits}`,
      };
    }
    return { ok: false, reason: `"${text}" mixes a domain wildcard with an IP address` };
  }
  const name = normalizeHostName(host);
  if (!name.ok) return { ok: false, reason: name.reason };
  const canonical = port === undefined ? name.name : `${name.name}:${port}`;
  return {
    ok: true,
    entry: {
      kind: 'domain',
      text,
      canonical,
      domain: name.name,
      form,
      idn: name.converted,
      origin: ctx.origin,
      variable: ctx.variable,
      index: ctx.index,
      rule: ruleOf(ctx, text),
      ...(port === undefined ? {} : { port }),
    },
  };
}

/** Parses one NO_PROXY entry (already split and trimmed) by the grammar of the proxy rules. */
export function parseNoProxyEntry(text: string, ctx: EntryContext): EntryResult {
  const lower = text.toLowerCase();
  if (lower === '*') {
    return {
      ok: true,
      entry: {
        kind: 'all',
        text,
        canonical: '*',
        origin: ctx.origin,
        variable: ctx.variable,
        index: ctx.index,
        rule: ruleOf(ctx, text),
      },
    };
  }
  if (lower.includes('/')) return parseCidr(ctx, text, lower);
  if (lower.startsWith('[')) {
    const close = lower.indexOf(']');
    const ip = close > 0 ? parseIp(lower.slice(1, close)) : undefined;
    if (ip === undefined || ip.family !== 6) {
      return { ok: false, reason: `"${text}" is not a bracketed IPv6 address` };
    }
    const tail = lower.slice(close + 1);
    if (tail === '') return { ok: true, entry: ipEntry(ctx, text, ip, 128, false, undefined) };
    const port = tail.startsWith(':') ? parsePort(tail.slice(1)) : undefined;
    if (port === undefined) {
      return { ok: false, reason: `"${text}": the port must be a number from 1 to 65535` };
    }
    return { ok: true, entry: ipEntry(ctx, text, ip, 128, false, port) };
  }
  const colons = lower.split(':').length - 1;
  if (colons >= 2) {
    const ip = parseIp(lower);
    if (ip === undefined) {
      return {
        ok: false,
        reason: `"${text}" is not an IPv6 address`,
        suggestion: 'write an IPv6 address with a port as [2001:db8::1]:8080',
      };
    }
    return { ok: true, entry: ipEntry(ctx, text, ip, 128, false, undefined) };
  }
  if (colons === 1) {
    const colon = lower.indexOf(':');
    const port = parsePort(lower.slice(colon + 1));
    if (port === undefined) {
      return { ok: false, reason: `"${text}": the port must be a number from 1 to 65535` };
    }
    return parseHostEntry(ctx, text, lower.slice(0, colon), port);
  }
  return parseHostEntry(ctx, text, lower, undefined);
}

/**
 * Parses a NO_PROXY value (or a list of values) into entries. Entries that cannot be parsed are
 * reported as errors and left out; entries that are rewritten (CIDR host bits) as warnings.
 *
 * @param variable the variable or setting name, quoted in diagnostics and rules.
 * @param origin what the entries are: the user's NO_PROXY, internal endpoints, …
 */
export function parseNoProxy(
  value: string | readonly string[],
  variable: string,
  origin: EntryOrigin = 'no-proxy',
): ParsedNoProxy {
  const entries: NoProxyEntry[] = [];
  const diagnostics: ProxyDiagnostic[] = [];
  const code = origin === 'internal' ? 'invalid-internal-endpoint' : 'invalid-no-proxy-entry';
  for (const text of splitNoProxy(value)) {
    const result = parseNoProxyEntry(text, { origin, variable, index: entries.length });
    if (result.ok) {
      entries.push(result.entry);
      if (result.warning !== undefined) {
        diagnostics.push({
          severity: 'warning',
          code: 'cidr-host-bits',
          variable,
          message: `${variable}: ${result.warning}.`,
          suggestion: `write ${result.entry.canonical}`,
        });
      }
    } else {
      diagnostics.push({
        severity: 'error',
        code,
        variable,
        message: `${variable}: ${result.reason}; the entry is not used.`,
        ...(result.suggestion === undefined ? {} : { suggestion: result.suggestion }),
      });
    }
  }
  return { entries, diagnostics };
}
