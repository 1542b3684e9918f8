import type { DiagnosticSink } from './diagnostic.js';
import { compileJavaRegex } from './java-regex.js';
import type { PlanBranchFilter, PlanNameMatcher } from './plan.js';
import { type Path, type YNode, childPath, get, indexPath, isMap, textOf } from './yaml-node.js';

/**
 * Reads a `branches:` or `tags:` filter. Entries written `/…/` are Java regular expressions that
 * must match the whole name; other entries are exact names.
 */
export function readNameFilter(
  node: YNode | undefined,
  sink: DiagnosticSink,
  path: Path,
): PlanBranchFilter | undefined {
  if (!isMap(node)) return undefined;
  const only = matchers(get(node, 'only'), sink, childPath(path, 'only'));
  const ignore = matchers(get(node, 'ignore'), sink, childPath(path, 'ignore'));
  const onlyNode = get(node, 'only');
  const ignoreNode = get(node, 'ignore');
  if (onlyNode !== undefined && ignoreNode !== undefined)
    sink.warning(
      'ignored',
      'both only and ignore are set; Airlock follows only, so ignore has no effect here',
      node.pairs.find((p) => p.key.name === 'ignore')?.key.pos ?? node.pos,
      childPath(path, 'ignore'),
    );
  return { only, ignore };
}

function matchers(node: YNode | undefined, sink: DiagnosticSink, path: Path): PlanNameMatcher[] {
  if (node === undefined) return [];
  const items = node.kind === 'seq' ? node.items : [node];
  const out: PlanNameMatcher[] = [];
  items.forEach((item, i) => {
    const text = textOf(item);
    if (text === undefined || item.kind !== 'scalar' || item.value === null) return;
    const at = node.kind === 'seq' ? indexPath(path, i) : path;
    if (text.length >= 2 && text.startsWith('/') && text.endsWith('/')) {
      const re = compileJavaRegex(text.slice(1, -1));
      if (!re.ok) {
        sink.error(
          'invalid-regex',
          `filter ${text} is not a valid regular expression: ${re.error}`,
          item.pos,
          at,
        );
        return;
      }
      out.push({ kind: 'regex', pattern: re.value.source, flags: re.value.flags });
    } else {
      out.push({ kind: 'exact', value: text });
    }
  });
  return out;
}

function matches(m: PlanNameMatcher, name: string): boolean {
  return m.kind === 'exact' ? m.value === name : new RegExp(m.pattern, m.flags).test(name);
}

/**
 * Whether a name passes a filter: with `only`, it must match one of them (and `ignore` is not
 * consulted); otherwise it must match none of `ignore`.
 */
export function matchesFilter(filter: PlanBranchFilter, name: string): boolean {
  if (filter.only.length > 0) return filter.only.some((m) => matches(m, name));
  return !filter.ignore.some((m) => matches(m, name));
}

export interface JobFilters {
  readonly branches?: PlanBranchFilter;
  readonly tags?: PlanBranchFilter;
}

export function readJobFilters(
  node: YNode | undefined,
  sink: DiagnosticSink,
  path: Path,
): JobFilters {
  if (!isMap(node)) return {};
  const branches = readNameFilter(get(node, 'branches'), sink, childPath(path, 'branches'));
  const tags = readNameFilter(get(node, 'tags'), sink, childPath(path, 'tags'));
  return { ...(branches ? { branches } : {}), ...(tags ? { tags } : {}) };
}

/**
 * Whether a job with these filters runs: for a branch, its branch filter (none: every branch);
 * for a tag, its tag filter, and a job without a tag filter never runs for a tag.
 */
export function jobRunsFor(
  filters: JobFilters,
  ref: { readonly branch: string } | { readonly tag: string },
): boolean {
  if ('tag' in ref) return filters.tags !== undefined && matchesFilter(filters.tags, ref.tag);
  return filters.branches === undefined || matchesFilter(filters.branches, ref.branch);
}
