import { describe, expect, it } from 'vitest';
import { incompleteUtf8Tail } from './utf8-boundary.js';

describe('incompleteUtf8Tail', () => {
  it('holds back the started part of a multi-byte character, at every cut', () => {
    for (const char of ['é', '✓', '😀']) {
      const bytes = Buffer.from(`ab${char}`);
      const full = bytes.length;
      for (let cut = 3; cut < full; cut++) expect(incompleteUtf8Tail(bytes, cut)).toBe(cut - 2);
      expect(incompleteUtf8Tail(bytes, full)).toBe(0);
      expect(incompleteUtf8Tail(bytes, 2)).toBe(0);
    }
  });

  it('does not hold back ASCII, complete text or bytes that can never be valid', () => {
    expect(incompleteUtf8Tail(Buffer.from('plain text\n'))).toBe(0);
    expect(incompleteUtf8Tail(Buffer.from([0x61, 0x80, 0x80, 0x80]))).toBe(0);
    expect(incompleteUtf8Tail(Buffer.from([0x61, 0xff]))).toBe(0);
    expect(incompleteUtf8Tail(Buffer.alloc(0))).toBe(0);
  });
});
