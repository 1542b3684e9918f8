import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkArchitecture } from './architecture/check-architecture.js';

const root = resolve(import.meta.dirname, '..');

describe('architecture', () => {
  it('the project follows the dependency rule and keeps pure modules pure', () => {
    const violations = checkArchitecture(root);
    expect(violations.map((v) => `${v.file}:${v.line}: ${v.message}`)).toEqual([]);
  });

  describe('the checker can fail (fixture tree with violations)', () => {
    const violations = checkArchitecture(resolve(root, 'test/fixtures/architecture-bad'));
    const messages = violations.map((v) => `${v.file}:${v.line} ${v.rule} ${v.message}`);

    it.each([
      [
        'server importing runner',
        /src\/server\/imports-runner\.ts:1 forbidden-import server may not import runner/,
      ],
      [
        'cli importing server (re-export)',
        /src\/cli\/imports-server\.ts:1 forbidden-import cli may not import server/,
      ],
      [
        'protocol importing a pipeline value',
        /src\/protocol\/value-import\.ts:1 forbidden-import protocol may not import pipeline \(only type-only/,
      ],
      [
        'a pure module importing node:fs',
        /src\/proxy\/uses-env\.ts:1 impure-import pure module proxy imports node:fs/,
      ],
      [
        'a pure module reading process.env',
        /src\/proxy\/uses-env\.ts:2 impure-code .*process\.env/,
      ],
      ['a pure module reading the clock', /src\/proxy\/uses-env\.ts:3 impure-code .*Date\.now/],
      ['a pure module using randomness', /src\/proxy\/uses-env\.ts:4 impure-code .*Math\.random/],
      ['web importing server code', /web\/src\/app\.ts:1 web-import/],
    ])('reports %s', (_name, pattern) => {
      expect(
        messages.some((m) => pattern.test(m)),
        messages.join('\n'),
      ).toBe(true);
    });

    it('allows a type-only import where the rule says types only', () => {
      expect(messages.filter((m) => m.includes('value-import.ts:2'))).toEqual([]);
    });

    it('reports nothing for a clean file', () => {
      expect(messages.filter((m) => m.includes('shared/ok.ts'))).toEqual([]);
    });
  });
});
