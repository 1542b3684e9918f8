import { type Path, formatPath } from './yaml-node.js';

/**
 * Diagnostics: every problem the pipeline module finds in a config is one of these, never an
 * exception. Positions are 1-based and point into the file the problem is in (the config, or a
 * vendored orb's source).
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  /** A stable, kebab-case code from `diagnosticCodes`. Callers branch on it, never on `message`. */
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Where in the config tree, e.g. `jobs.build.steps[2].run.when`. */
  readonly path: string;
}

/** Every diagnostic code and what it means. */
export const diagnosticCodes = {
  'yaml-syntax': 'the text is not valid YAML',
  'yaml-duplicate-key': 'a mapping has the same key twice',
  'yaml-unknown-alias': 'an alias (*name) refers to an anchor that is not defined before it',
  'yaml-recursive-alias': 'an alias refers to the node that contains it',
  'yaml-invalid-merge': 'a merge key (<<) has a value that is not a mapping or a list of mappings',
  'yaml-complex-key': 'a mapping key is not a scalar',
  'yaml-too-large': 'the document expands to too many nodes (alias bomb)',
  'yaml-too-deep': 'the document nests too deeply',
  'yaml-multiple-documents': 'the file has more than one YAML document',
  'not-a-mapping': 'the file does not contain a mapping at its top level',
  'missing-version': 'the config has no version key',
  'unsupported-version': 'the config version is not 2, 2.0 or 2.1',
  'unknown-key': 'a key that is not allowed at this place',
  'missing-key': 'a required key is absent',
  'wrong-type': 'a value has the wrong type',
  'invalid-value': 'a value is not one of the allowed values or does not match its pattern',
  'invalid-duration': 'a duration is not a number followed by h, m or s',
  'empty-list': 'a list that must not be empty is empty',
  'conflicting-keys': 'keys that exclude each other are set together',
  'invalid-name': 'a name does not follow the naming rules',
  'requires-version-2.1': 'a 2.1 feature is used in a version 2 config',
  unsupported: 'a CircleCI feature that Airlock does not support',
  ignored: 'a setting Airlock accepts but does not act on',
  deprecated: 'a deprecated CircleCI feature',
  'invalid-step': 'a step is not a name or a map with exactly one key',
  'unknown-step': 'a step names neither a built-in step nor a command',
  'unknown-command': 'a step invokes a command that is not defined',
  'unknown-executor': 'a job uses an executor that is not defined',
  'unknown-job': 'a workflow invokes a job that is not defined',
  'unknown-orb': 'a reference names an orb alias that is not declared',
  'recursive-command': 'commands invoke each other in a cycle',
  'recursive-executor': 'executors refer to each other in a cycle',
  'orbs-not-available': 'registry orbs are referenced but their sources are not vendored',
  'invalid-orb-reference': 'an orb reference is not namespace/name@version',
  'invalid-parameter': 'a parameter declaration is invalid',
  'unknown-parameter': 'an argument is passed for a parameter that is not declared',
  'missing-parameter': 'a required parameter has no value',
  'parameter-type': 'an argument does not have the type its parameter declares',
  'undeclared-parameter': 'a << >> reference names a parameter that is not declared in scope',
  'unknown-pipeline-value': 'a << pipeline.* >> reference names a value Airlock does not provide',
  'unexpected-pipeline-parameter': 'a pipeline parameter given as input is not declared',
  'matrix-reference': 'a << matrix.* >> reference outside a matrix or to an unknown matrix key',
  'unsupported-expression': 'an expression inside << >> (only references are supported)',
  'template-syntax': 'a mustache section (<<# x >>, <<^ x >>, <</ x >>) is not balanced',
  'template-type': 'a list or map value is used inside a string',
  'invalid-condition': 'a logic statement (when/unless) is malformed',
  'invalid-regex': 'a /regex/ filter or matches pattern does not compile',
  'invalid-matrix': 'a matrix is malformed or expands to nothing',
  'duplicate-job-name': 'two job invocations in one workflow have the same name',
  'unknown-requires': 'requires names a job that is not in the workflow',
  'requires-cycle': 'jobs of a workflow require each other in a cycle',
  'invalid-status': 'a requires status is not one of the allowed statuses',
  'approval-job-defined': 'an approval entry uses the name of a job defined under jobs',
  'invalid-cron': 'a schedule cron expression is invalid',
  'no-workflows': 'there are no workflows and no job named build',
  'invalid-executor': 'a job has no executor, more than one, or an invalid one',
  'too-many-jobs': 'a workflow expands to more job instances than Airlock accepts',
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;

export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Collects diagnostics, dropping exact repeats (same code, place and message), which happen when
 * one node is reached twice: through an alias, a command used by several jobs, or the same
 * check on the source and on the processed config.
 */
export class DiagnosticSink {
  private readonly seen = new Set<string>();
  private readonly list: Diagnostic[] = [];
  private errorCount = 0;

  report(
    severity: Severity,
    code: DiagnosticCode,
    message: string,
    pos: SourcePos,
    path: Path,
  ): void {
    const key = `${code}\u0000${pos.file}\u0000${pos.line}\u0000${pos.column}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (severity === 'error') this.errorCount++;
    this.list.push({
      severity,
      code,
      message,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      path: formatPath(path),
    });
  }

  error(code: DiagnosticCode, message: string, pos: SourcePos, path: Path): void {
    this.report('error', code, message, pos, path);
  }

  warning(code: DiagnosticCode, message: string, pos: SourcePos, path: Path): void {
    this.report('warning', code, message, pos, path);
  }

  /** Reports everything another sink collected (used to keep the diagnostics of a trial run). */
  absorb(other: DiagnosticSink): void {
    for (const d of other.list)
      this.report(
        d.severity,
        d.code,
        d.message,
        { file: d.file, line: d.line, column: d.column },
        d.path,
      );
  }

  get errors(): number {
    return this.errorCount;
  }

  /** All diagnostics, ordered by file, line and column (errors first at the same place). */
  sorted(): Diagnostic[] {
    return [...this.list].sort(
      (a, b) =>
        compareText(a.file, b.file) ||
        a.line - b.line ||
        a.column - b.column ||
        (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
    );
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `file:line:col: severity code: message`, the CLI's line format. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
