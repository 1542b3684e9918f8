export const mask = '********';

/**
 * Replaces secret values in a text stream with `********`, also when a value arrives split
 * across writes: `push` holds back only the end of the text that could be the start of a secret,
 * and `flush` releases it at the end.
 */
export class SecretMasker {
  readonly #secrets: readonly string[];
  #pending = '';

  constructor(secrets: readonly string[]) {
    // Longest first, so a secret containing another is masked whole. Ignore trivially short values.
    this.#secrets = [...new Set(secrets.filter((s) => s.length >= 4))].sort(
      (a, b) => b.length - a.length,
    );
  }

  push(text: string): string {
    if (this.#secrets.length === 0) return text;
    const data = this.#pending + text;
    const masked = this.#replace(data);
    const hold = this.#heldBack(masked);
    this.#pending = masked.slice(masked.length - hold);
    return masked.slice(0, masked.length - hold);
  }

  flush(): string {
    const rest = this.#pending;
    this.#pending = '';
    return this.#secrets.length === 0 ? rest : this.#replace(rest);
  }

  #replace(text: string): string {
    let out = text;
    for (const secret of this.#secrets)
      if (out.includes(secret)) out = out.split(secret).join(mask);
    return out;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of some secret. */
  #heldBack(text: string): number {
    let best = 0;
    for (const secret of this.#secrets) {
      const max = Math.min(secret.length - 1, text.length);
      for (let n = max; n > best; n--) {
        if (text.endsWith(secret.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
