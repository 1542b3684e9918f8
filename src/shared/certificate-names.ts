/**
 * Which host names a certificate is valid for, by the rules Node's `tls.checkServerIdentity`
 * applies (RFC 6125): an IP address matches an IP entry of the subjectAltName; a name matches a
 * DNS entry, where `*` stands for exactly one left-most label (`*.example.com` covers
 * `ci.example.com`, not `example.com` or `a.b.example.com`; never `*.com`); the subject's CN is
 * used only when the certificate has no DNS entry (browsers never use it).
 */

/** `[::1]` → `::1`, `Example.COM.` → `example.com`; IP addresses in their canonical form. */
export function canonicalHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIpAddress(bare)) return canonicalIp(bare);
  return bare.toLowerCase().replace(/\.$/, '');
}

export function isIpAddress(host: string): boolean {
  return host.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** The WHATWG URL form of an IP address (IPv6 compressed), or the input when it does not parse. */
export function canonicalIp(ip: string): string {
  try {
    const hostname = new URL(`http://${ip.includes(':') ? `[${ip}]` : ip}/`).hostname;
    return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  } catch {
    return ip;
  }
}

export interface SubjectAltNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/**
 * Parses Node's `X509Certificate.subjectAltName` text (`DNS:a.example, IP Address:127.0.0.1`;
 * values with special characters come JSON-quoted) into DNS names and canonical IP addresses.
 * Other entry types (email, URI) are skipped.
 */
export function parseSubjectAltName(text: string | undefined): SubjectAltNames {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  if (!text) return { dnsNames, ipAddresses };
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      // A JSON string: find its closing quote, skipping escapes.
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        value = text.slice(colon + 2, j);
      }
      next = text.indexOf(',', j + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next < 0 ? undefined : next);
    }
    if (type === 'DNS') dnsNames.push(value);
    else if (type === 'IP Address') ipAddresses.push(canonicalIp(value));
    if (next < 0) break;
    i = next + 1;
    while (text[i] === ' ') i++;
  }
  return { dnsNames, ipAddresses };
}

function matchesPattern(hostParts: readonly string[], pattern: string): boolean {
  const patternParts = pattern.toLowerCase().replace(/\.$/, '').split('.');
  if (patternParts.length !== hostParts.length) return false;
  if (patternParts.includes('')) return false;
  if (patternParts.some((part) => /[^\u0021-\u007F]/u.test(part))) return false;
  for (let i = hostParts.length - 1; i > 0; i--) {
    if (hostParts[i] !== patternParts[i]) return false;
  }
  const host = hostParts[0] as string;
  const first = patternParts[0] as string;
  const pieces = first.split('*');
  if (pieces.length === 1 || first.includes('xn--')) return host === first;
  if (pieces.length > 2 || patternParts.length <= 2) return false;
  const [prefix, suffix] = pieces as [string, string];
  return (
    prefix.length + suffix.length <= host.length && host.startsWith(prefix) && host.endsWith(suffix)
  );
}

/** Whether a certificate with these names is valid for `host` (a name or an IP address). */
export function hostMatchesCertificate(
  host: string,
  names: SubjectAltNames & { readonly commonName?: string | undefined },
): boolean {
  const wanted = canonicalHost(host);
  if (isIpAddress(wanted)) return names.ipAddresses.some((ip) => canonicalIp(ip) === wanted);
  const hostParts = wanted.split('.');
  if (names.dnsNames.length > 0) return names.dnsNames.some((p) => matchesPattern(hostParts, p));
  return names.commonName !== undefined && matchesPattern(hostParts, names.commonName);
}
