import type { DiagnosticSink } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { type ExpandedWorkflows, expandWorkflows } from './expand-workflows.js';
import { type OrbSource, missingOrbsMessage, resolveOrbs } from './orbs.js';
import { type Declarations, coerce, readDeclarations } from './parameters.js';
import { type PipelineValues, pipelineValueTable } from './pipeline-values.js';
import { templateScope } from './process-context.js';
import { buildScope } from './scope.js';
import { type YMap, type YNode, childPath, get, pair, scalar, ymap } from './yaml-node.js';

/** A pipeline parameter value given as input (API body or `--param k=v`). */
export type PipelineParameterInput = string | number | boolean;

export interface ProcessInput {
  readonly root: YMap;
  readonly version: '2' | '2.1';
  readonly orbs: Readonly<Record<string, OrbSource>>;
  readonly params: Readonly<Record<string, PipelineParameterInput>>;
  readonly pipelineValues: PipelineValues;
}

export interface ProcessOutput extends Omit<ExpandedWorkflows, 'workflows' | 'jobs'> {
  /** The processed config: `version: 2`, `jobs`, `workflows`. */
  readonly config: YMap;
}

/**
 * Processes a loaded config into its 2.0 form (what `circleci config process` prints). Returns
 * undefined when processing cannot go on (registry orbs missing, pipeline parameters invalid).
 */
export function processConfig(
  input: ProcessInput,
  sink: DiagnosticSink,
): ProcessOutput | undefined {
  const { root, version } = input;
  const pipelineParams =
    version === '2.1' ? bindPipelineParameters(root, input.params, sink) : new Map<string, YNode>();
  if (!pipelineParams) return undefined;
  const ctx = {
    sink,
    version,
    pipelineValues: pipelineValueTable(input.pipelineValues),
    pipelineParams,
    origins: new WeakMap(),
  };
  const rootScope = buildScope(
    root,
    { label: 'the config', prefix: '', isOrb: false, basePath: '' },
    sink,
  );
  if (version === '2.1') {
    const missing = resolveOrbs(
      root,
      rootScope,
      input.orbs,
      templateScope(ctx, undefined, 'orbs', false),
      sink,
    );
    const first = missing[0];
    if (first) {
      sink.error('orbs-not-available', missingOrbsMessage(missing), first.pos, first.path);
      return undefined;
    }
  }
  const expanded = expandWorkflows(root, rootScope, ctx);
  const config = ymap(
    [
      pair('version', scalar(2, root.pos), root.pos),
      pair('jobs', expanded.jobs, expanded.jobs.pos),
      pair('workflows', expanded.workflows, expanded.workflows.pos),
    ],
    root.pos,
  );
  return { config, skipped: expanded.skipped, broken: expanded.broken, origins: expanded.origins };
}

/**
 * Pipeline parameter values: the declared defaults, overridden by the input. Undeclared inputs
 * and values of the wrong type are errors (CircleCI: "Unexpected argument(s)").
 */
function bindPipelineParameters(
  root: YMap,
  inputs: Readonly<Record<string, PipelineParameterInput>>,
  sink: DiagnosticSink,
): Map<string, YNode> | undefined {
  const section = get(root, 'parameters');
  const decls: Declarations = readDeclarations(section, 'pipeline', sink, 'parameters');
  const out = new Map<string, YNode>();
  let ok = true;
  const where = section?.pos ?? root.pos;
  for (const [name, value] of Object.entries(inputs)) {
    const decl = decls.get(name);
    if (!decl) {
      sink.error(
        'unexpected-pipeline-parameter',
        `pipeline parameter "${name}" was given but the config does not declare it${didYouMean(name, [...decls.keys()])}`,
        where,
        childPath('parameters', name),
      );
      ok = false;
      continue;
    }
    const node = scalar(value, decl.pos);
    const v = coerce(
      decl,
      node,
      sink,
      childPath('parameters', name),
      `the value given for pipeline parameter "${name}"`,
    );
    if (v === undefined) ok = false;
    else out.set(name, v);
  }
  for (const decl of decls.values()) {
    if (out.has(decl.name) || Object.hasOwn(inputs, decl.name)) continue;
    if (decl.default !== undefined) out.set(decl.name, decl.default);
    else ok = false; // no default: reported by validation
  }
  return ok ? out : undefined;
}
