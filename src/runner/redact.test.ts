import { describe, expect, it } from 'vitest';
import { SecretMasker } from './redact.js';

const run = (secrets: string[], parts: string[]): string => {
  const m = new SecretMasker(secrets);
  return parts.map((p) => m.push(p)).join('') + m.flush();
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
    expect(m.push('hello wor')).toBe('hello wor');
    expect(m.push('ld top')).toBe('ld ');
    expect(m.push('ping')).toBe('topping');
  });

  it('masks several values, the longer first', () => {
    expect(run(['abcd', 'abcdefgh'], ['abcdefgh abcd'])).toBe('******** ********');
  });

  it('ignores values shorter than 4 characters', () => {
    expect(run(['ab'], ['abc'])).toBe('abc');
  });
});
