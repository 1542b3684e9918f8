import { wordMask } from './ip-address.js';
import type { DomainEntry, IpEntry, NoProxyEntry } from './no-proxy-entry.js';

/** A request host after normalisation: a DNS name, or an IP literal as words. */
export type RequestHost =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'ip'; readonly family: 4 | 6; readonly words: readonly number[] };

/** The entry that matched, and whether it matched a domain's apex (`d` itself). */
export interface EntryMatch {
  readonly entry: NoProxyEntry;
  readonly apex: boolean;
}

/** One label of a reversed-label trie: `example` under `com` holds the entries for example.com. */
interface LabelNode {
  readonly children: Map<string, LabelNode>;
  entries: DomainEntry[] | undefined;
}

interface Ipv4Rule {
  readonly network: number;
  readonly mask: number;
  readonly entry: IpEntry;
}

/**
 * A compiled list of entries: domain entries in a map keyed by domain (a host is looked up once
 * per label suffix), IPv4 rules as mask/compare pairs, IPv6 rules as words. Lookups return the
 * matching entry with the smallest index, so the reported rule is the first one in the list.
 */
export class NoProxyMatcher {
  readonly entries: readonly NoProxyEntry[];
  readonly #all: NoProxyEntry | undefined;
  readonly #domains = new Map<string, DomainEntry[]>();
  readonly #labels: LabelNode = { children: new Map(), entries: undefined };
  readonly #ipv4: Ipv4Rule[] = [];
  readonly #ipv6: IpEntry[] = [];

  constructor(entries: readonly NoProxyEntry[]) {
    this.entries = entries;
    let all: NoProxyEntry | undefined;
    for (const entry of entries) {
      if (entry.kind === 'all') {
        if (all === undefined) all = entry;
      } else if (entry.kind === 'domain') {
        const list = this.#domains.get(entry.domain);
        if (list) list.push(entry);
        else this.#domains.set(entry.domain, [entry]);
        let node = this.#labels;
        const labels = entry.domain.split('.');
        for (let i = labels.length - 1; i >= 0; i--) {
          const label = labels[i] ?? '';
          let child = node.children.get(label);
          if (child === undefined) {
            child = { children: new Map(), entries: undefined };
            node.children.set(label, child);
          }
          node = child;
        }
        node.entries = this.#domains.get(entry.domain);
      } else if (entry.network.family === 4) {
        const mask = wordMask(entry.prefix);
        this.#ipv4.push({ network: entry.network.words[0] ?? 0, mask, entry });
      } else {
        this.#ipv6.push(entry);
      }
    }
    this.#all = all;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The forms in which a domain is listed (with the same port), for tool-difference warnings. */
  domainForms(domain: string, port: number | undefined): ReadonlySet<DomainEntry['form']> {
    const forms = new Set<DomainEntry['form']>();
    for (const entry of this.#domains.get(domain) ?? []) {
      if (entry.port === port) forms.add(entry.form);
    }
    return forms;
  }

  /** The first entry (by index) that matches `host` on `port`, or undefined. */
  match(host: RequestHost, port: number): EntryMatch | undefined {
    let best: NoProxyEntry | undefined = this.#all;
    let apex = false;
    if (host.kind === 'name') {
      // Walk the labels from the right (com, example, api): a miss stops at the first label no
      // entry has, so most hosts cost one or two map lookups.
      const name = host.name;
      let node: LabelNode | undefined = this.#labels;
      let end = name.length;
      while (end > 0) {
        const dot = name.lastIndexOf('.', end - 1);
        node = node.children.get(name.slice(dot + 1, end));
        if (node === undefined) break;
        if (node.entries !== undefined) {
          for (const entry of node.entries) {
            if (entry.port !== undefined && entry.port !== port) continue;
            if (best === undefined || entry.index < best.index) {
              best = entry;
              apex = dot < 0;
            }
            break;
          }
        }
        if (dot < 0) break;
        end = dot;
      }
    } else if (host.family === 4) {
      const address = host.words[0] ?? 0;
      for (const rule of this.#ipv4) {
        if ((address & rule.mask) >>> 0 !== rule.network) continue;
        if (rule.entry.port !== undefined && rule.entry.port !== port) continue;
        if (best === undefined || rule.entry.index < best.index) best = rule.entry;
      }
    } else {
      for (const entry of this.#ipv6) {
        if (entry.port !== undefined && entry.port !== port) continue;
        if (!ipv6Contains(entry, host.words)) continue;
        if (best === undefined || entry.index < best.index) best = entry;
      }
    }
    return best === undefined ? undefined : { entry: best, apex: best.kind === 'domain' && apex };
  }
}

function ipv6Contains(entry: IpEntry, words: readonly number[]): boolean {
  for (let i = 0; i < 4; i++) {
    const mask = wordMask(entry.prefix - i * 32);
    if (mask === 0) return true;
    if (((words[i] ?? 0) & mask) >>> 0 !== entry.network.words[i]) return false;
  }
  return true;
}
