import type { IpAddress } from './ip-address.js';

/** Where an entry came from. `implicit` entries are the loopback rules every client applies. */
export type EntryOrigin = 'no-proxy' | 'internal' | 'implicit' | 'proxy-internal';

/** How a domain entry was written: `d`, `.d` or `*.d`. All three mean the same to Airlock. */
export type DomainForm = 'bare' | 'dot' | 'star';

interface EntryBase {
  /** The entry as the user wrote it (trimmed). */
  readonly text: string;
  /** The canonical spelling: `example.com`, `example.com:8080`, `10.0.0.0/8`, `::1`, `*`. */
  readonly canonical: string;
  /** Only this port matches (scheme default applied to the URL), when set. */
  readonly port?: number;
  readonly origin: EntryOrigin;
  /** The variable or setting it came from (`no_proxy`, `NO_PROXY`, `config.noProxy`, `internal`). */
  readonly variable: string;
  /** Position in its list; the first matching entry decides and is reported. */
  readonly index: number;
  /** What a route decision reports as its rule, e.g. `no_proxy: .example.com`. */
  readonly rule: string;
}

/** `*`: bypass everything. */
export interface AllEntry extends EntryBase {
  readonly kind: 'all';
}

/** A domain: the apex and every subdomain, on a label boundary. */
export interface DomainEntry extends EntryBase {
  readonly kind: 'domain';
  /** Lowercase, punycode, no leading `.`/`*.` and no trailing `.`. */
  readonly domain: string;
  readonly form: DomainForm;
  /** Whether the user wrote a non-ASCII (IDN) name. */
  readonly idn: boolean;
}

/** An IP literal (prefix = 32 or 128) or a CIDR block; matches IP-literal hosts only. */
export interface IpEntry extends EntryBase {
  readonly kind: 'ip';
  readonly network: IpAddress;
  readonly prefix: number;
  /** Written as a CIDR (`a.b.c.d/n`), as opposed to a single address. */
  readonly cidr: boolean;
}

export type NoProxyEntry = AllEntry | DomainEntry | IpEntry;
