import type { DiagnosticSink, SourcePos } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import {
  type Path,
  type YNode,
  childPath,
  describeNode,
  get,
  isMap,
  scalar,
  scalarText,
  textOf,
  truncate,
  yseq,
} from './yaml-node.js';

export type ParamType =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'enum'
  | 'executor'
  | 'steps'
  | 'env_var_name';

const allTypes: readonly ParamType[] = [
  'string',
  'boolean',
  'integer',
  'enum',
  'executor',
  'steps',
  'env_var_name',
];
const pipelineTypes: readonly ParamType[] = ['string', 'boolean', 'integer', 'enum'];

/** Names a job parameter cannot have: they are keys of the workflow job entry. */
export const reservedJobParameterNames: ReadonlySet<string> = new Set([
  'name',
  'requires',
  'context',
  'type',
  'filters',
  'matrix',
  'pre-steps',
  'post-steps',
  'serial-group',
  'override-with',
]);

export interface ParamDecl {
  readonly name: string;
  readonly type: ParamType;
  /** The default, already coerced to the parameter's type; undefined means required. */
  readonly default?: YNode;
  readonly enumValues?: readonly string[];
  readonly pos: SourcePos;
}

export type Declarations = ReadonlyMap<string, ParamDecl>;

/**
 * Reads `parameters:` declarations. Invalid declarations are reported and left out, so using
 * them later reports nothing more.
 */
export function readDeclarations(
  node: YNode | undefined,
  kind: 'pipeline' | 'job' | 'command' | 'executor',
  sink: DiagnosticSink,
  path: Path,
): Declarations {
  const out = new Map<string, ParamDecl>();
  if (!isMap(node)) return out;
  const types = kind === 'pipeline' ? pipelineTypes : allTypes;
  for (const p of node.pairs) {
    const at = childPath(path, p.key.name);
    const decl = p.value;
    if (!isMap(decl)) continue;
    const typeText = textOf(get(decl, 'type'));
    if (typeText === undefined || !(types as readonly string[]).includes(typeText)) {
      if (typeText !== undefined && (allTypes as readonly string[]).includes(typeText))
        sink.error(
          'invalid-parameter',
          `pipeline parameters can be ${types.join(', ')}; ${typeText} is only for job, command and executor parameters`,
          get(decl, 'type')?.pos ?? decl.pos,
          childPath(at, 'type'),
        );
      continue;
    }
    const type = typeText as ParamType;
    if (kind === 'job' && reservedJobParameterNames.has(p.key.name)) {
      sink.error(
        'invalid-parameter',
        `"${p.key.name}" cannot be a job parameter: it is a key of workflow job entries`,
        p.key.pos,
        at,
      );
      continue;
    }
    let enumValues: string[] | undefined;
    if (type === 'enum') {
      const list = get(decl, 'enum');
      if (list?.kind !== 'seq' || list.items.length === 0) {
        sink.error(
          'invalid-parameter',
          `enum parameter "${p.key.name}" needs a non-empty enum: [..] list`,
          decl.pos,
          at,
        );
        continue;
      }
      enumValues = list.items.map((i) => textOf(i) ?? '');
    }
    const base: ParamDecl = enumValues
      ? { name: p.key.name, type, enumValues, pos: p.key.pos }
      : { name: p.key.name, type, pos: p.key.pos };
    const defaultNode = get(decl, 'default');
    if (defaultNode === undefined) {
      out.set(p.key.name, base);
      continue;
    }
    const coerced = coerce(
      base,
      defaultNode,
      sink,
      childPath(at, 'default'),
      `the default of parameter "${p.key.name}"`,
    );
    out.set(p.key.name, coerced === undefined ? base : { ...base, default: coerced });
  }
  return out;
}

const envVarName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const yaml11Booleans: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  on: true,
  off: false,
};

/**
 * Checks a value against a parameter's type and returns it in canonical form: strings as
 * strings, booleans (`yes`/`no`/`on`/`off` accepted) as booleans, integers as numbers, steps as
 * a list. Reports and returns undefined when the value does not fit.
 */
export function coerce(
  decl: ParamDecl,
  value: YNode,
  sink: DiagnosticSink,
  path: Path,
  what: string,
): YNode | undefined {
  const fail = (expected: string): undefined => {
    sink.error(
      'parameter-type',
      `${what} must be ${expected}, got ${describeNode(value)}`,
      value.pos,
      path,
    );
    return undefined;
  };
  switch (decl.type) {
    case 'string':
    case 'env_var_name': {
      if (value.kind !== 'scalar' || value.value === null || typeof value.value === 'boolean')
        return fail(
          decl.type === 'string'
            ? 'a string (quote values like "true")'
            : 'an environment variable name',
        );
      const text = scalarText(value);
      if (decl.type === 'env_var_name' && !envVarName.test(text))
        return fail(
          'a valid environment variable name (letters, digits and _, not starting with a digit)',
        );
      return typeof value.value === 'string' ? value : scalar(text, value.pos);
    }
    case 'boolean': {
      if (value.kind !== 'scalar') return fail('true or false');
      if (typeof value.value === 'boolean') return value;
      if (typeof value.value === 'string') {
        const b = yaml11Booleans[value.value.toLowerCase()];
        if (b !== undefined) return scalar(b, value.pos);
      }
      return fail('true or false');
    }
    case 'integer': {
      if (value.kind !== 'scalar') return fail('an integer');
      if (typeof value.value === 'number' && Number.isInteger(value.value)) return value;
      if (typeof value.value === 'string' && /^-?\d+$/.test(value.value.trim()))
        return scalar(Number(value.value.trim()), value.pos);
      return fail('an integer');
    }
    case 'enum': {
      if (value.kind !== 'scalar' || value.value === null)
        return fail(`one of ${(decl.enumValues ?? []).join(', ')}`);
      const text = scalarText(value);
      if (!(decl.enumValues ?? []).includes(text)) {
        sink.error(
          'parameter-type',
          `${what} must be one of ${(decl.enumValues ?? []).join(', ')}, got ${JSON.stringify(truncate(text, 60))}${didYouMean(text, decl.enumValues ?? [])}`,
          value.pos,
          path,
        );
        return undefined;
      }
      return typeof value.value === 'string' ? value : scalar(text, value.pos);
    }
    case 'steps':
      if (value.kind === 'seq') return value;
      if (value.kind === 'scalar' && value.value === null) return yseq([], value.pos);
      return fail('a list of steps');
    case 'executor':
      if ((value.kind === 'scalar' && typeof value.value === 'string') || value.kind === 'map')
        return value;
      return fail('an executor name or a map with name and parameters');
  }
}

export interface Argument {
  readonly name: string;
  readonly value: YNode;
  readonly keyPos: SourcePos;
}

/**
 * Binds the arguments of one invocation to the declarations: unknown arguments, missing required
 * parameters and type errors are reported. Returns the values of every declared parameter, or
 * undefined when something is wrong.
 */
export function bindArguments(
  decls: Declarations,
  args: readonly Argument[],
  sink: DiagnosticSink,
  at: {
    readonly what: string;
    readonly pos: SourcePos;
    readonly path: Path;
    readonly extraNames?: readonly string[];
  },
): Map<string, YNode> | undefined {
  const out = new Map<string, YNode>();
  let ok = true;
  for (const a of args) {
    const decl = decls.get(a.name);
    const argPath = childPath(at.path, a.name);
    if (!decl) {
      sink.error(
        'unknown-parameter',
        `${at.what} has no parameter "${a.name}"${didYouMean(a.name, [...decls.keys(), ...(at.extraNames ?? [])])}${decls.size > 0 ? ` (parameters: ${[...decls.keys()].join(', ')})` : ''}`,
        a.keyPos,
        argPath,
      );
      ok = false;
      continue;
    }
    const v = coerce(decl, a.value, sink, argPath, `parameter "${a.name}" of ${at.what}`);
    if (v === undefined) ok = false;
    else out.set(a.name, v);
  }
  for (const decl of decls.values()) {
    if (out.has(decl.name) || args.some((a) => a.name === decl.name)) continue;
    if (decl.default !== undefined) out.set(decl.name, decl.default);
    else {
      sink.error(
        'missing-parameter',
        `${at.what} needs a value for parameter "${decl.name}" (it has no default)`,
        at.pos,
        at.path,
      );
      ok = false;
    }
  }
  return ok ? out : undefined;
}
