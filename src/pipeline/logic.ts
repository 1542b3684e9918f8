import type { DiagnosticSink } from './diagnostic.js';
import { compileJavaRegex } from './java-regex.js';
import {
  type Path,
  type YNode,
  childPath,
  get,
  indexPath,
  scalarText,
  textOf,
} from './yaml-node.js';

/** CircleCI truthiness: false, null, 0, NaN, "" and empty collections are false. */
export function truthy(node: YNode | undefined): boolean {
  if (node === undefined) return false;
  if (node.kind === 'seq') return node.items.length > 0;
  if (node.kind === 'map') return node.pairs.length > 0;
  const v = node.value;
  if (v === null || v === false || v === '') return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return true;
}

/** Deep equality of two values (types matter: `1` and `"1"` differ). */
export function sameValue(a: YNode, b: YNode): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'scalar' && b.kind === 'scalar') return a.value === b.value;
  if (a.kind === 'seq' && b.kind === 'seq')
    return (
      a.items.length === b.items.length &&
      a.items.every((x, i) => {
        const y = b.items[i];
        return y !== undefined && sameValue(x, y);
      })
    );
  if (a.kind === 'map' && b.kind === 'map')
    return (
      a.pairs.length === b.pairs.length &&
      a.pairs.every((p) => {
        const other = get(b, p.key.name);
        return other !== undefined && sameValue(p.value, other);
      })
    );
  return false;
}

/**
 * Evaluates a logic statement whose templates are already substituted. Malformed statements
 * were reported by validation; here they count as false.
 */
export function evaluateLogic(node: YNode, sink: DiagnosticSink, path: Path, depth = 0): boolean {
  if (depth > 100) return false;
  if (node.kind === 'scalar') return truthy(node);
  if (node.kind === 'seq') return false;
  const first = node.pairs[0];
  if (node.pairs.length !== 1 || !first) return false;
  const value = first.value;
  const at = childPath(path, first.key.name);
  switch (first.key.name) {
    case 'and':
      return (
        value.kind === 'seq' &&
        value.items.length > 0 &&
        value.items.every((item, i) => evaluateLogic(item, sink, indexPath(at, i), depth + 1))
      );
    case 'or':
      return (
        value.kind === 'seq' &&
        value.items.some((item, i) => evaluateLogic(item, sink, indexPath(at, i), depth + 1))
      );
    case 'not':
      return !evaluateLogic(value, sink, at, depth + 1);
    case 'equal': {
      if (value.kind !== 'seq' || value.items.length === 0) return false;
      const [head, ...rest] = value.items;
      return head !== undefined && rest.every((x) => sameValue(head, x));
    }
    case 'matches': {
      if (value.kind !== 'map') return false;
      const patternNode = get(value, 'pattern');
      const pattern = textOf(patternNode);
      const subject = get(value, 'value');
      if (pattern === undefined || subject === undefined || subject.kind !== 'scalar') return false;
      const re = compileJavaRegex(pattern);
      if (!re.ok) {
        sink.error(
          'invalid-regex',
          `matches pattern ${JSON.stringify(pattern)} does not compile: ${re.error}`,
          patternNode?.pos ?? value.pos,
          childPath(at, 'pattern'),
        );
        return false;
      }
      return re.value.test(scalarText(subject));
    }
    default:
      return false;
  }
}
