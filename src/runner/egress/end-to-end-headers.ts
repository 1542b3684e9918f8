/** Hop-by-hop headers (RFC 9110 7.6.1) plus the proxy's own: never passed on by a proxy. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The end-to-end headers of a message in `rawHeaders` form (`[name, value, name, value, …]`,
 * names as sent, repeats kept): hop-by-hop headers and every header the `Connection` header
 * names are dropped. A job's own `Proxy-Authorization` is dropped too: it was meant for the
 * local proxy, and the upstream proxy gets the runner's.
 */
export function endToEndHeaders(raw: readonly string[]): string[] {
  const drop = new Set(hopByHop);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') drop.add(name);
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (drop.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}
