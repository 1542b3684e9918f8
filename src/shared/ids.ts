/**
 * Identifiers. Randomness comes in as an argument so pure code stays deterministic; the edges
 * pass `crypto.getRandomValues`-backed bytes.
 */
export type RandomBytes = (length: number) => Uint8Array;

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

/** A sortable id: 10 chars of time (ms, base32) + 16 chars of randomness. */
export function newId(nowMs: number, random: RandomBytes): string {
  let time = '';
  let t = Math.floor(nowMs);
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = random(16);
  let rand = '';
  for (const b of bytes) rand += alphabet[b % 32];
  return time + rand;
}
