import type { DiagnosticSink } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { sameValue } from './logic.js';
import {
  type Path,
  type YNode,
  canonical,
  childPath,
  get,
  indexPath,
  isMap,
  scalarText,
  textOf,
} from './yaml-node.js';

/** The most instances one matrix may expand to. */
export const maxMatrixInstances = 1000;

export type MatrixCombination = ReadonlyMap<string, YNode>;

export interface ExpandedMatrix {
  readonly combinations: readonly MatrixCombination[];
  /** The name `requires` can use for all instances (default: the job name). */
  readonly alias?: string;
}

/**
 * The Cartesian product of a matrix's parameter values (first parameter varying slowest), minus
 * the combinations `exclude` lists. Problems are reported; the result is then empty.
 */
export function expandMatrix(matrix: YNode, sink: DiagnosticSink, path: Path): ExpandedMatrix {
  if (!isMap(matrix)) return { combinations: [] };
  const params = get(matrix, 'parameters');
  const aliasText = textOf(get(matrix, 'alias'));
  const alias = aliasText === undefined || aliasText === '' ? {} : { alias: aliasText };
  if (!isMap(params) || params.pairs.length === 0) return { combinations: [], ...alias };
  let total = 1;
  for (const p of params.pairs) {
    if (p.value.kind !== 'seq' || p.value.items.length === 0) return { combinations: [], ...alias };
    total *= p.value.items.length;
  }
  if (total > maxMatrixInstances) {
    sink.error(
      'too-many-jobs',
      `this matrix expands to ${total} jobs; Airlock accepts at most ${maxMatrixInstances} per matrix`,
      matrix.pos,
      path,
    );
    return { combinations: [], ...alias };
  }
  let combos: Map<string, YNode>[] = [new Map()];
  for (const p of params.pairs) {
    const values = p.value.kind === 'seq' ? p.value.items : [];
    const next: Map<string, YNode>[] = [];
    for (const c of combos)
      for (const v of values) {
        const m = new Map(c);
        m.set(p.key.name, v);
        next.push(m);
      }
    combos = next;
  }
  const exclude = get(matrix, 'exclude');
  if (exclude?.kind === 'seq') {
    const names = params.pairs.map((p) => p.key.name);
    exclude.items.forEach((ex, i) => {
      if (!isMap(ex)) return;
      for (const p of ex.pairs)
        if (!names.includes(p.key.name))
          sink.error(
            'invalid-matrix',
            `exclude names "${p.key.name}", which is not a matrix parameter${didYouMean(p.key.name, names)}`,
            p.key.pos,
            childPath(indexPath(childPath(path, 'exclude'), i), p.key.name),
          );
      const before = combos.length;
      combos = combos.filter(
        (c) =>
          !ex.pairs.every((p) => {
            const v = c.get(p.key.name);
            return v !== undefined && sameValue(v, p.value);
          }),
      );
      if (combos.length === before)
        sink.warning(
          'invalid-matrix',
          'this exclude entry matches no combination of the matrix',
          ex.pos,
          indexPath(childPath(path, 'exclude'), i),
        );
    });
  }
  if (combos.length === 0)
    sink.error(
      'invalid-matrix',
      'exclude removes every combination of this matrix',
      matrix.pos,
      path,
    );
  return { combinations: combos, ...alias };
}

/**
 * The name CircleCI gives a matrix instance: the job name and the values, ordered by parameter
 * name, joined with `-` (`test-14.17.6-docker`).
 */
export function matrixInstanceName(jobName: string, combination: MatrixCombination): string {
  const keys = [...combination.keys()].sort();
  const parts = keys.map((k) => {
    const v = combination.get(k);
    return v === undefined ? '' : v.kind === 'scalar' ? scalarText(v) : canonical(v);
  });
  return [jobName, ...parts].join('-');
}
