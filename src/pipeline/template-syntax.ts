/**
 * The `<< … >>` syntax of 2.1 configs, as tokens: literal text, references
 * (`<< parameters.x >>`, `<< pipeline.git.branch >>`, `<< matrix.os >>`) and mustache section
 * tags (`<<# x >>`, `<<^ x >>`, `<</ x >>`). `\<<` is an escaped, literal `<<`. Text between
 * `<<` and `>>` that is not a reference (a shell heredoc such as `cat << EOF >> log`) stays
 * literal.
 */
export type TemplateToken =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'ref';
      readonly sigil: '' | '#' | '^' | '/';
      readonly name: string;
      readonly source: string;
    }
  | { readonly kind: 'expression'; readonly source: string };

const templateRe = /<<\s*[#^/]?\s*(?:parameters|pipeline|matrix)\./;
const refRe = /^(?:parameters|pipeline|matrix)\.[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const exprRe = /^(?:parameters|pipeline|matrix)\.\S*\s/;

/** Whether the text contains something processing will replace. */
export function hasTemplate(text: string): boolean {
  return text.includes('<<') && templateRe.test(text);
}

/** Whether processing changes this text at all (a template or an escaped `\<<`). */
export function needsProcessing(text: string): boolean {
  return text.includes('<<') && (templateRe.test(text) || text.includes('\\<<'));
}

export function tokenize(text: string): TemplateToken[] {
  const out: TemplateToken[] = [];
  let buffer = '';
  let i = 0;
  for (;;) {
    const j = text.indexOf('<<', i);
    if (j < 0) {
      buffer += text.slice(i);
      break;
    }
    if (j > 0 && text[j - 1] === '\\') {
      buffer += `${text.slice(i, j - 1)}<<`;
      i = j + 2;
      continue;
    }
    const k = text.indexOf('>>', j + 2);
    const inner = k < 0 ? undefined : text.slice(j + 2, k);
    const parsed = inner === undefined || inner.includes('\n') ? undefined : parseInner(inner);
    if (parsed === undefined || k < 0) {
      buffer += text.slice(i, j + 2);
      i = j + 2;
      continue;
    }
    buffer += text.slice(i, j);
    if (buffer !== '') out.push({ kind: 'text', text: buffer });
    buffer = '';
    const source = text.slice(j, k + 2);
    out.push(
      parsed.kind === 'ref'
        ? { kind: 'ref', sigil: parsed.sigil, name: parsed.name, source }
        : { kind: 'expression', source },
    );
    i = k + 2;
  }
  if (buffer !== '') out.push({ kind: 'text', text: buffer });
  return out;
}

function parseInner(
  inner: string,
): { kind: 'ref'; sigil: '' | '#' | '^' | '/'; name: string } | { kind: 'expression' } | undefined {
  let body = inner.trim();
  let sigil: '' | '#' | '^' | '/' = '';
  const first = body[0];
  if (first === '#' || first === '^' || first === '/') {
    sigil = first;
    body = body.slice(1).trim();
  }
  if (refRe.test(body)) return { kind: 'ref', sigil, name: body };
  if (exprRe.test(body)) return { kind: 'expression' };
  return undefined;
}
