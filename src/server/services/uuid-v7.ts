import { randomBytes } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter, then random
 * bits. Ids made by one generator sort in the order they were made, even within a millisecond
 * (the counter; when it runs out the timestamp moves on by one), so events stored in the same
 * millisecond still read back in the order they happened.
 */
export class UuidV7 {
  readonly #random: (n: number) => Uint8Array;
  #lastMs = -1;
  #counter = 0;

  constructor(random: (n: number) => Uint8Array = (n) => randomBytes(n)) {
    this.#random = random;
  }

  next(nowMs: number): string {
    let ms = Math.floor(nowMs);
    if (ms <= this.#lastMs) {
      // Same millisecond, or the clock stepped back: stay after the last id.
      ms = this.#lastMs;
      this.#counter++;
      if (this.#counter > 0xfff) {
        ms++;
        this.#counter = 0;
      }
    } else {
      this.#counter = 0;
    }
    this.#lastMs = ms;
    const bytes = Uint8Array.from(this.#random(16));
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (this.#counter >> 8);
    bytes[7] = this.#counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = Buffer.from(bytes).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
