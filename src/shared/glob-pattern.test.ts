import { describe, expect, it } from 'vitest';
import { globToRegExp, hasGlobSyntax } from './glob-pattern.js';

const matches = (pattern: string, path: string, options = {}): boolean =>
  globToRegExp(pattern, options)?.test(path) ?? false;

describe('globToRegExp', () => {
  it('matches like Go filepath.Match: * and ? stay inside one segment', () => {
    expect(matches('dist/*', 'dist/app.js')).toBe(true);
    expect(matches('dist/*', 'dist/sub/app.js')).toBe(false);
    expect(matches('*.jar', 'a.jar')).toBe(true);
    expect(matches('a?c', 'abc')).toBe(true);
    expect(matches('a?c', 'a/c')).toBe(false);
    expect(matches('[a-c]x', 'bx')).toBe(true);
    expect(matches('[!a-c]x', 'bx')).toBe(false);
    expect(matches('[^a-c]x', 'dx')).toBe(true);
    expect(matches('a\\*b', 'a*b')).toBe(true);
    expect(matches('a\\*b', 'axb')).toBe(false);
  });

  it('supports ** and braces when asked', () => {
    const o = { globstar: true, braces: true };
    expect(matches('src/**/*.test.ts', 'src/a.test.ts', o)).toBe(true);
    expect(matches('src/**/*.test.ts', 'src/x/y/a.test.ts', o)).toBe(true);
    expect(matches('src/**/*.test.ts', 'lib/a.test.ts', o)).toBe(false);
    expect(matches('**/*.{js,ts}', 'a/b.ts', o)).toBe(true);
    expect(matches('**/*.{js,ts}', 'a/b.py', o)).toBe(false);
    expect(matches('**', 'any/thing', o)).toBe(true);
    expect(matches('src/**/*.ts', 'src/x/y/a.ts')).toBe(false);
  });

  it('returns undefined for malformed patterns', () => {
    expect(globToRegExp('[abc')).toBeUndefined();
    expect(globToRegExp('{a,b', { braces: true })).toBeUndefined();
  });

  it('tells plain paths from patterns', () => {
    expect(hasGlobSyntax('dist/app.js')).toBe(false);
    expect(hasGlobSyntax('dist/*.js')).toBe(true);
  });
});
