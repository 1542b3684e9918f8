/**
 * How many bytes at the end of `bytes[0, end)` are the start of a UTF-8 sequence that is not
 * complete yet (0 to 3). Cutting there keeps every multi-byte character whole, so each piece
 * decodes on its own. Bytes that can never be valid UTF-8 are not held back.
 */
export function incompleteUtf8Tail(bytes: Uint8Array, end: number = bytes.length): number {
  // A sequence is at most 4 bytes: look back at most 3 bytes for its lead byte.
  for (let back = 1; back <= 3 && back <= end; back++) {
    const byte = bytes[end - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const length = byte >= 0xf5 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
