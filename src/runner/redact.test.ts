import { describe, expect, it } from 'vitest';
import { SecretMasker } from './redact.js';

const run = (secrets: string[], parts: string[]): string => {
  const m = new SecretMasker(secrets);
  const out = parts.map((p) => m.push(Buffer.from(p)));
  return Buffer.concat([...out, m.flush()]).toString('utf8');
};

describe('SecretMasker', () => {
  it('masks a whole value', () => {
    expect(run(['hunter22'], ['password is hunter22!\n'])).toBe('password is ********!\n');
  });

  it('masks a value split across writes at every position', () => {
    const secret = 's3cr3t-value';
    const text = `before ${secret} after`;
    for (let cut = 1; cut < text.length; cut++) {
      expect(run([secret], [text.slice(0, cut), text.slice(cut)])).toBe('before ******** after');
    }
  });

  it('masks a value split into single characters', () => {
    expect(run(['abcdef'], [...'x abcdef y'])).toBe('x ******** y');
  });

  it('holds back only a possible prefix, so ordinary text flows at once', () => {
    const m = new SecretMasker(['topsecret']);
    const push = (text: string) => m.push(Buffer.from(text)).toString('utf8');
    expect(push('hello wor')).toBe('hello wor');
    expect(push('ld top')).toBe('ld ');
    expect(push('ping')).toBe('topping');
  });

  it('masks several values, the longer first', () => {
    expect(run(['abcd', 'abcdefgh'], ['abcdefgh abcd'])).toBe('******** ********');
  });

  it('masks non-ASCII values split inside a multi-byte character', () => {
    const secret = 'pässwörd-✓';
    const bytes = Buffer.from(`a ${secret} b`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const m = new SecretMasker([secret]);
      const out = [m.push(bytes.subarray(0, cut)), m.push(bytes.subarray(cut)), m.flush()];
      expect(Buffer.concat(out).toString('utf8')).toBe('a ******** b');
    }
  });

  it('passes output through untouched (the same bytes) when there is nothing to mask', () => {
    const data = Buffer.from('no secrets here\n');
    expect(new SecretMasker([]).push(data)).toBe(data);
    expect(new SecretMasker(['hunter22']).push(data).equals(data)).toBe(true);
  });

  it('ignores values shorter than 4 characters', () => {
    expect(run(['ab'], ['abc'])).toBe('abc');
  });
});
