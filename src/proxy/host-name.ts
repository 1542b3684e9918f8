import { domainToASCII } from 'node:url';

const asciiName = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;
const numericLabel = /^(?:\d+|0x[0-9a-f]*)$/;

export type HostNameResult =
  | { readonly ok: true; readonly name: string; readonly converted: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Normalises a DNS name as the matcher compares it: lowercase, one trailing `.` removed, IDN
 * converted to punycode. Rejects names a URL parser would not accept as a domain (a last label
 * that is a number is an IPv4 address to WHATWG URL parsers, never a name).
 */
export function normalizeHostName(text: string): HostNameResult {
  let name = text.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '') return { ok: false, reason: 'the host name is empty' };
  let converted = false;
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    if (ascii === '') return { ok: false, reason: `"${text}" is not a valid international name` };
    name = ascii;
    converted = true;
  }
  if (!asciiName.test(name)) {
    return {
      ok: false,
      reason: `"${text}" is not a host name (letters, digits, "-" and "_" in dot-separated labels)`,
    };
  }
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (numericLabel.test(last)) {
    return {
      ok: false,
      reason: `"${text}" ends in a number, so URL parsers read it as an IPv4 address, never as a name`,
    };
  }
  if (name.includes('xn--') && domainToASCII(name) === '') {
    return { ok: false, reason: `"${text}" contains invalid punycode` };
  }
  return { ok: true, name, converted };
}
