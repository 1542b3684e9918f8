/**
 * IP literals as numbers, for exact and CIDR matching. IPv4 is one unsigned 32-bit word, IPv6
 * four. Parsing is strict: dotted-quad IPv4 without leading zeros (a leading zero means octal to
 * some tools and decimal to others), and RFC 4291 IPv6 text, optionally ending in a dotted quad.
 */
export interface IpAddress {
  readonly family: 4 | 6;
  /** One word (IPv4) or four words (IPv6), most significant first, each 0 … 2^32-1. */
  readonly words: readonly number[];
}

/** Parses strict dotted-quad IPv4 (`10.0.0.1`); undefined for anything else. */
export function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros: "010" is octal to some tools and decimal to others.
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

const hexGroup = /^[0-9a-f]{1,4}$/i;

function groupsOf(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (hexGroup.test(part)) {
      out.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text without brackets or zone (`2001:db8::1`, `::ffff:10.0.0.1`). */
export function parseIpv6(text: string): readonly number[] | undefined {
  if (!text.includes(':')) return undefined;
  if (text.includes('.')) return parseIpv6WithIpv4(text);
  // Hex groups only (what WHATWG URL parsers serialise): one pass over the characters.
  const head: number[] = [];
  const tail: number[] = [];
  let groups = head;
  let gap = false;
  const n = text.length;
  let i = 0;
  if (text.startsWith('::')) {
    gap = true;
    groups = tail;
    i = 2;
  } else if (text.charCodeAt(0) === 58) {
    return undefined;
  }
  while (i < n) {
    let value = 0;
    let digits = 0;
    for (let h = hexValue(text.charCodeAt(i)); i < n && h >= 0; h = hexValue(text.charCodeAt(i))) {
      value = value * 16 + h;
      if (++digits > 4) return undefined;
      i++;
    }
    if (digits === 0) return undefined;
    groups.push(value);
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i === n) return undefined; // a trailing single ":"
    if (text.charCodeAt(i) === 58) {
      if (gap) return undefined;
      gap = true;
      groups = tail;
      i++;
    }
  }
  const count = head.length + tail.length;
  if (gap ? count > 7 : count !== 8) return undefined;
  const all = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const words: number[] = [];
  for (let k = 0; k < 8; k += 2) words.push((all[k] ?? 0) * 65536 + (all[k + 1] ?? 0));
  return words;
}

function parseIpv6WithIpv4(text: string): readonly number[] | undefined {
  const gap = text.indexOf('::');
  let groups: number[];
  if (gap >= 0) {
    if (text.indexOf('::', gap + 1) >= 0) return undefined;
    const head = groupsOf(text.slice(0, gap));
    const tail = groupsOf(text.slice(gap + 2));
    if (head === undefined || tail === undefined) return undefined;
    // An embedded dotted quad may only end the address.
    if (text.slice(0, gap).includes('.')) return undefined;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    const all = groupsOf(text);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push((groups[i] ?? 0) * 65536 + (groups[i + 1] ?? 0));
  return words;
}

/** Parses an IPv4 or IPv6 literal (IPv6 with or without brackets). */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return { family: 4, words: [v4] };
  const v6 = parseIpv6(bare);
  return v6 === undefined ? undefined : { family: 6, words: v6 };
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(words: readonly number[]): string {
  const groups: number[] = [];
  for (const w of words) groups.push(Math.floor(w / 65536), w % 65536);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

export function formatIp(ip: IpAddress): string {
  return ip.family === 4 ? formatIpv4(ip.words[0] ?? 0) : formatIpv6(ip.words);
}

/** The mask of one 32-bit word for a prefix that covers `bits` of it (0 … 32). */
export function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** The address with every bit after `prefix` cleared. */
export function maskIp(ip: IpAddress, prefix: number): IpAddress {
  const words = ip.words.map((w, i) => (w & wordMask(prefix - i * 32)) >>> 0);
  return { family: ip.family, words };
}

/** Whether `ip` lies in `network/prefix` (same family only). */
export function ipInNetwork(ip: IpAddress, network: IpAddress, prefix: number): boolean {
  if (ip.family !== network.family) return false;
  for (let i = 0; i < network.words.length; i++) {
    const mask = wordMask(prefix - i * 32);
    if (mask === 0) return true;
    if (((ip.words[i] ?? 0) & mask) >>> 0 !== network.words[i]) return false;
  }
  return true;
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  if (a.family !== b.family) return false;
  for (let i = 0; i < a.words.length; i++) if (a.words[i] !== b.words[i]) return false;
  return true;
}
