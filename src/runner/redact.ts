export const mask = '********';
const maskBytes = Buffer.from(mask);
const empty = Buffer.alloc(0);

/**
 * Replaces secret values in a byte stream with `********`, also when a value arrives split
 * across writes: `push` holds back only the end of the output that could be the start of a
 * secret, and `flush` releases it at the end. Works on UTF-8 bytes, so output that is never
 * decoded is never copied into strings.
 */
export class SecretMasker {
  readonly #secrets: readonly Buffer[];
  #pending: Buffer = empty;

  constructor(secrets: readonly string[]) {
    // Longest first, so a secret containing another is masked whole. Ignore trivially short values.
    this.#secrets = [...new Set(secrets.filter((s) => s.length >= 4))]
      .map((s) => Buffer.from(s, 'utf8'))
      .sort((a, b) => b.length - a.length);
  }

  get active(): boolean {
    return this.#secrets.length > 0;
  }

  push(data: Buffer): Buffer {
    if (this.#secrets.length === 0) return data;
    const joined = this.#pending.length > 0 ? Buffer.concat([this.#pending, data]) : data;
    const masked = this.#replace(joined);
    const hold = this.#heldBack(masked);
    this.#pending = hold > 0 ? Buffer.from(masked.subarray(masked.length - hold)) : empty;
    return hold > 0 ? masked.subarray(0, masked.length - hold) : masked;
  }

  flush(): Buffer {
    const rest = this.#pending;
    this.#pending = empty;
    return this.#secrets.length === 0 ? rest : this.#replace(rest);
  }

  #replace(data: Buffer): Buffer {
    let out = data;
    for (const secret of this.#secrets) {
      let at = out.indexOf(secret);
      if (at === -1) continue;
      const parts: Buffer[] = [];
      let from = 0;
      while (at !== -1) {
        parts.push(out.subarray(from, at), maskBytes);
        from = at + secret.length;
        at = out.indexOf(secret, from);
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }

  /** Length of the longest suffix of `data` that is a proper prefix of some secret. */
  #heldBack(data: Buffer): number {
    let best = 0;
    for (const secret of this.#secrets) {
      const first = secret[0];
      for (let n = Math.min(secret.length - 1, data.length); n > best; n--) {
        const start = data.length - n;
        if (data[start] === first && secret.compare(data, start, data.length, 0, n) === 0) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
