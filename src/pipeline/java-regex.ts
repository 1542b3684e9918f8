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
  if (hasNestedQuantifier(source)) {
    result = err(
      'a repeated group contains a repetition, e.g. (a+)+: matching can take exponential time',
    );
    cache.set(pattern, result);
    return result;
  }
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

/**
 * Whether the pattern repeats a group whose branches start with a repeated item (`(a+)+`,
 * `(\\w+\\s?)*`, `(x|y*){2,}`): the shape that makes backtracking regex engines take
 * exponential time on some inputs. Such filters are refused, so a config cannot stall the
 * server. `(\\.[0-9]+)*` is fine: each repetition starts with a literal.
 */
function hasNestedQuantifier(source: string): boolean {
  const opens: number[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') opens.push(i);
    else if (c === ')') {
      const open = opens.pop();
      if (open === undefined || !unboundedAt(source, i + 1)) continue;
      const body = source.slice(open + 1, i).replace(/^\?(?:[:=!]|<[=!]|<[A-Za-z]\w*>)/, '');
      if (splitAlternatives(body).some((alt) => startsWithRepeatedItem(alt))) return true;
    }
  }
  return false;
}

/** `*`, `+` or `{n,}` at `at`. */
function unboundedAt(source: string, at: number): boolean {
  const c = source[at];
  return c === '*' || c === '+' || (c === '{' && /^\{\d*,\}/.test(source.slice(at)));
}

function splitAlternatives(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(body.slice(from, i));
      from = i + 1;
    }
  }
  out.push(body.slice(from));
  return out;
}

/** Whether the first item of a branch (a character, escape, class or group) is repeated without bound. */
function startsWithRepeatedItem(branch: string): boolean {
  let end: number;
  const c = branch[0];
  if (c === undefined) return false;
  if (c === '\\') end = 2;
  else if (c === '[') {
    let i = 1;
    if (branch[i] === '^') i++;
    if (branch[i] === ']') i++;
    while (i < branch.length && branch[i] !== ']') i += branch[i] === '\\' ? 2 : 1;
    end = i + 1;
  } else if (c === '(') {
    let depth = 0;
    let i = 0;
    for (; i < branch.length; i++) {
      if (branch[i] === '\\') i++;
      else if (branch[i] === '(') depth++;
      else if (branch[i] === ')' && --depth === 0) break;
    }
    end = i + 1;
  } else end = 1;
  return unboundedAt(branch, end);
}
