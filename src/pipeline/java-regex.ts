import { type Result, err, ok } from '../shared/result.js';

const cache = new Map<string, Result<RegExp, string>>();

/**
 * Compiles a Java regular expression (what CircleCI uses for `/regex/` filters and `matches`)
 * into a JavaScript RegExp that must match the WHOLE text. Covers the Java features seen in
 * configs: a leading `(?i)`, `\A`/`\z`/`\Z`, possessive quantifiers and atomic groups (both
 * treated as their plain forms).
 */
export function compileJavaRegex(pattern: string): Result<RegExp, string> {
  const known = cache.get(pattern);
  if (known) return known;
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline?.[1]) {
    for (const f of inline[1]) if (f === 'i' || f === 'm' || f === 's') flags += f;
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$')
    .replace(/\(\?>/g, '(?:')
    .replace(/(?<!\\)([*+?}])\+/g, '$1');
  let result: Result<RegExp, string>;
  try {
    result = ok(new RegExp(`^(?:${source})$`, flags));
  } catch (e) {
    result = err(
      e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e),
    );
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, result);
  return result;
}
