/**
 * Glob patterns to regular expressions over `/`-separated relative paths:
 * `*` (any run of characters but `/`), `?` (one character but `/`), `[abc]`, `[a-z]`, `[!x]`
 * and `[^x]` (Go's `filepath.Match` syntax), `\x` (a literal x); with `globstar`, a `**` segment
 * matches any number of folders (also none); with `braces`, `{a,b}` matches either.
 * Returns undefined for a malformed pattern (an unclosed `[` or `{`).
 */
export function globToRegExp(
  pattern: string,
  options: { globstar?: boolean; braces?: boolean } = {},
): RegExp | undefined {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      out += escapeChar(pattern[++i] as string);
    } else if (c === '*') {
      if (options.globstar && pattern[i + 1] === '*') {
        const atStart = i === 0 || pattern[i - 1] === '/';
        const atEnd = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (atStart && atEnd) {
          i++;
          if (pattern[i + 1] === '/') {
            i++;
            out += '(?:[^/]*/)*';
          } else out += '.*';
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) return undefined;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/\\/g, '\\\\').replace(/\]/g, '\\]')}]`;
      i = end;
    } else if (options.braces && c === '{') {
      depth++;
      out += '(?:';
    } else if (options.braces && c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (options.braces && c === ',' && depth > 0) {
      out += '|';
    } else {
      out += escapeChar(c);
    }
  }
  if (depth !== 0) return undefined;
  try {
    return new RegExp(`^${out}$`);
  } catch {
    return undefined;
  }
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Whether the pattern has any glob syntax (otherwise it names one path). */
export function hasGlobSyntax(pattern: string): boolean {
  return /[*?[{\\]/.test(pattern);
}
