import { stringify } from 'yaml';
import { compilePlan } from './compile-plan.js';
import type { CompileTrigger } from './compile-workflow.js';
import { type Diagnostic, DiagnosticSink } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { loadYaml } from './load-yaml.js';
import { type OrbSource, formatOrbRef, parseOrbRef } from './orbs.js';
import type { PipelineValues } from './pipeline-values.js';
import type { Plan } from './plan.js';
import { type PipelineParameterInput, processConfig } from './process-config.js';
import { configSchema, definitions, processedConfigSchema } from './schema/config-schema.js';
import type { Schema } from './schema/schema.js';
import { validateNode } from './schema/validate.js';
import { type YMap, get, isMap, scalarText, toPlain } from './yaml-node.js';

export type { OrbSource } from './orbs.js';
export type { PipelineValues } from './pipeline-values.js';
export type { PipelineParameterInput } from './process-config.js';

export interface CompilePipelineInput {
  /** The config's path, used in diagnostics (e.g. `.circleci/config.yml`). */
  readonly file: string;
  readonly text: string;
  /**
   * Vendored registry orbs by reference (`{ 'circleci/node@5.1': source }`). A partial version
   * (`@5`, `@5.1`) also matches the highest vendored full version it covers.
   */
  readonly orbs?: Readonly<Record<string, OrbSource>>;
  /**
   * Vendored orb files by path (`.circleci/orbs/circleci/node@5.1.yml`): each path's last two
   * segments name the orb (`<namespace>/<name>@<version>.yml`). Merged with `orbs`.
   */
  readonly orbFiles?: Readonly<Record<string, string>>;
  /** Pipeline parameter values (API body, `--param k=v`); strings are converted to the declared type. */
  readonly params?: Readonly<Record<string, PipelineParameterInput>>;
  /** Same as `params` (both may be given; `params` wins). */
  readonly parameters?: Readonly<Record<string, PipelineParameterInput>>;
  readonly pipelineValues?: PipelineValues;
  /** The pushed branch. Default: `pipelineValues.git.branch`, else `main`. */
  readonly branch?: string;
  /** The pushed tag (instead of a branch). Default: `pipelineValues.git.tag`. */
  readonly tag?: string;
  /** The commit being built. Default: `pipelineValues.git.revision`. */
  readonly revision?: string;
  /** Compile for the schedule trigger of this workflow (legacy `triggers: schedule`). */
  readonly scheduledWorkflow?: string;
}

/** A processed config: what `airlock config process` prints. */
export interface ProcessedConfig {
  readonly configVersion: '2' | '2.1';
  /** Plain JSON-compatible data: `version: 2`, `jobs`, `workflows`. */
  readonly config: Readonly<Record<string, unknown>>;
}

export interface CompilePipelineResult {
  /** Every problem found, ordered by file and position. */
  readonly diagnostics: readonly Diagnostic[];
  /** Present when processing found no error. */
  readonly processed?: ProcessedConfig;
  /** Present when there is no error at all. */
  readonly plan?: Plan;
}

/**
 * The pipeline module's entry point: config text in, diagnostics, the processed config and the
 * Plan out. Pure: no I/O, no clock, no randomness; every fact comes in through `input`.
 */
export function compilePipeline(input: CompilePipelineInput): CompilePipelineResult {
  const sink = new DiagnosticSink();
  const done = (extra: Omit<CompilePipelineResult, 'diagnostics'> = {}): CompilePipelineResult => ({
    diagnostics: sink.sorted(),
    ...extra,
  });
  const root = loadYaml(input.text, input.file, sink);
  if (root === undefined || !isMap(root)) {
    if (sink.errors === 0)
      sink.error(
        'not-a-mapping',
        root === undefined
          ? 'the config is empty; it needs at least version: 2.1 and a job'
          : 'the config must be a YAML mapping (key: value) at the top level',
        root?.pos ?? { file: input.file, line: 1, column: 1 },
        '',
      );
    return done();
  }
  const version = configVersion(root, sink);
  const clean = new WeakMap<Schema, WeakSet<object>>();
  validateNode(
    root,
    configSchema,
    { version: version ?? '2.1', mode: 'source', sink, definitions, clean },
    '',
  );
  warnTopLevelTypos(root, sink);
  if (version === undefined) return done();

  const processed = processConfig(
    {
      root,
      version,
      orbs: { ...orbsFromFiles(input.orbFiles ?? {}, sink), ...(input.orbs ?? {}) },
      params: { ...(input.parameters ?? {}), ...(input.params ?? {}) },
      pipelineValues: input.pipelineValues ?? {},
    },
    sink,
  );
  if (!processed) return done();
  validateNode(
    processed.config,
    processedConfigSchema,
    { version, mode: 'processed', sink, definitions, clean },
    '',
  );
  const errorsBeforePlan = sink.errors;
  const plan = compilePlan(
    {
      config: processed.config,
      configVersion: version,
      trigger: triggerOf(input),
      revision: input.revision ?? input.pipelineValues?.git?.revision ?? '',
      skipped: processed.skipped,
      broken: processed.broken,
      origins: processed.origins,
    },
    sink,
  );
  const processedConfig = lazyProcessed(version, processed.config);
  if (sink.errors > 0) return errorsBeforePlan > 0 ? done() : done({ processed: processedConfig });
  return done({ processed: processedConfig, plan });
}

/** Vendored orb files by path, keyed by the orb reference their path spells. */
export function orbsFromFiles(
  files: Readonly<Record<string, string>>,
  sink?: DiagnosticSink,
): Record<string, OrbSource> {
  const out: Record<string, OrbSource> = {};
  for (const [path, text] of Object.entries(files)) {
    const m = /(?:^|[\\/])([^\\/]+)[\\/]([^\\/]+@[^\\/]+?)\.ya?ml$/.exec(path);
    const ref = m?.[1] && m[2] ? parseOrbRef(`${m[1]}/${m[2]}`) : undefined;
    if (ref) out[formatOrbRef(ref)] = { text, file: path };
    else
      sink?.warning(
        'invalid-orb-reference',
        `${path} is not named like a vendored orb (orbs/<namespace>/<name>@<version>.yml); it is not used`,
        { file: path, line: 1, column: 1 },
        '',
      );
  }
  return out;
}

/** The processed config, converted to plain data on first use (the server only needs the plan). */
function lazyProcessed(configVersion: '2' | '2.1', node: YMap): ProcessedConfig {
  let plain: Readonly<Record<string, unknown>> | undefined;
  const out = { configVersion } as {
    configVersion: '2' | '2.1';
    config: Readonly<Record<string, unknown>>;
  };
  Object.defineProperty(out, 'config', {
    enumerable: true,
    get: () => {
      plain ??= toPlain(node) as Record<string, unknown>;
      return plain;
    },
  });
  return out;
}

function triggerOf(input: CompilePipelineInput): CompileTrigger {
  const branch = input.branch ?? (input.pipelineValues?.git?.branch || undefined);
  const tag =
    input.tag ?? (branch === undefined ? input.pipelineValues?.git?.tag || undefined : undefined);
  if (input.scheduledWorkflow !== undefined)
    return { kind: 'schedule', workflow: input.scheduledWorkflow, branch: branch ?? 'main' };
  if (tag !== undefined && input.branch === undefined) return { kind: 'tag', tag };
  return { kind: 'branch', branch: branch ?? 'main' };
}

function configVersion(root: YMap, sink: DiagnosticSink): '2' | '2.1' | undefined {
  const node = get(root, 'version');
  if (node === undefined) return undefined; // reported by validation
  const text = node.kind === 'scalar' ? scalarText(node).trim() : '';
  if (text === '2' || text === '2.0') return '2';
  if (text === '2.1') return '2.1';
  sink.error(
    'unsupported-version',
    `version ${JSON.stringify(text)} is not supported; use 2.1 (or 2 / 2.0)`,
    node.pos,
    'version',
  );
  return undefined;
}

/** Unknown top-level keys are allowed (they hold anchors), but a near-miss of a real key is flagged. */
function warnTopLevelTypos(root: YMap, sink: DiagnosticSink): void {
  const known = Object.keys(configSchema.properties);
  for (const p of root.pairs) {
    if (known.includes(p.key.name)) continue;
    const hint = didYouMean(p.key.name, known);
    if (hint !== '')
      sink.warning(
        'unknown-key',
        `top-level key "${p.key.name}" is not a config key (allowed, e.g. for anchors)${hint}`,
        p.key.pos,
        p.key.name,
      );
  }
}

/** The processed config as YAML, like `circleci config process` prints it. */
export function formatProcessedConfig(processed: ProcessedConfig): string {
  return stringify(processed.config, { lineWidth: 0, aliasDuplicateObjects: false });
}
