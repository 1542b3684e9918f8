import type { DiagnosticSink, Severity, SourcePos } from '../diagnostic.js';
import type { YMap, YNode } from '../yaml-node.js';
import type { Path } from '../yaml-node.js';

/**
 * A small schema language for the config. One set of definitions drives both validation (with
 * positions, all problems at once and "did you mean" suggestions) and the JSON Schema for
 * editors, so the two cannot drift apart.
 */
export type Schema =
  | StringSchema
  | IntegerSchema
  | NumberSchema
  | BooleanSchema
  | EnumSchema
  | DurationSchema
  | NullSchema
  | AnySchema
  | ListSchema
  | ObjectSchema
  | MapSchema
  | UnionSchema
  | RefSchema
  | CustomSchema;

interface Described {
  readonly description?: string;
}

export interface StringSchema extends Described {
  readonly kind: 'string';
  /** A regular expression the whole value must match. */
  readonly pattern?: string;
  /** What the pattern means, for messages ("a lowercase name"). */
  readonly patternHint?: string;
  /** Severity of a pattern mismatch (default error). */
  readonly patternSeverity?: Severity;
  /** Whether numbers are accepted as strings (`image: 9`); default true. */
  readonly numbersAsText?: boolean;
}

export interface IntegerSchema extends Described {
  readonly kind: 'integer';
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface NumberSchema extends Described {
  readonly kind: 'number';
}

export interface BooleanSchema extends Described {
  readonly kind: 'boolean';
}

export interface EnumSchema extends Described {
  readonly kind: 'enum';
  readonly values: readonly string[];
}

/** `\d+(\.\d+)?[hms]`, e.g. `10m`, `1.5h`, `90s`. */
export interface DurationSchema extends Described {
  readonly kind: 'duration';
}

export interface NullSchema extends Described {
  readonly kind: 'null';
}

export interface AnySchema extends Described {
  readonly kind: 'any';
}

export interface ListSchema extends Described {
  readonly kind: 'list';
  readonly items: Schema;
  readonly minItems?: number;
  /** Also accept a single item where a list is expected. */
  readonly single?: boolean;
}

export interface Property {
  readonly schema: Schema;
  /** Only allowed from this config version on. */
  readonly since?: '2.1';
  /** Accepted but reported: a feature Airlock does not support or ignores. */
  readonly support?: {
    readonly severity: Severity;
    readonly code: 'unsupported' | 'ignored' | 'deprecated';
    readonly message: string;
  };
  readonly description?: string;
}

/** A check across keys; `at` is where the object is named (its key), for messages about it. */
export type ObjectRule = (map: YMap, ctx: ValidationContext, path: Path, at: SourcePos) => void;

export interface ObjectSchema extends Described {
  readonly kind: 'object';
  /** What this object is, for messages: "job", "run step". */
  readonly noun: string;
  readonly properties: Readonly<Record<string, Property>>;
  readonly required?: readonly string[];
  /** Unknown keys: an error with a suggestion, tolerated silently, or checked against a schema. */
  readonly additional: 'error' | 'tolerate' | Schema;
  /** Unknown keys are tolerated in 2.1 source configs (parameters), errors otherwise. */
  readonly additionalInSource?: 'tolerate';
  /** A null value (`key:` with nothing) is accepted as an empty object. */
  readonly nullable?: boolean;
  readonly rules?: readonly ObjectRule[];
}

export interface MapSchema extends Described {
  readonly kind: 'map';
  readonly noun: string;
  readonly values: Schema;
  readonly keyPattern?: {
    readonly pattern: string;
    readonly hint: string;
    readonly severity: Severity;
  };
  readonly minProperties?: number;
  readonly nullable?: boolean;
}

export interface UnionSchema extends Described {
  readonly kind: 'union';
  readonly options: readonly Schema[];
}

export interface RefSchema extends Described {
  readonly kind: 'ref';
  readonly name: string;
}

/** Checks no data type can express; supplies its own JSON Schema. */
export interface CustomSchema extends Described {
  readonly kind: 'custom';
  readonly name: string;
  readonly accepts: readonly NodeKind[];
  readonly validate: (node: YNode, ctx: ValidationContext, path: Path) => void;
  /** Its JSON Schema, given a converter for the schemas it contains. */
  readonly json: (toJson: (schema: Schema) => unknown) => Readonly<Record<string, unknown>>;
}

export type NodeKind = 'string' | 'number' | 'boolean' | 'null' | 'map' | 'seq';

export interface ValidationContext {
  readonly version: '2' | '2.1';
  /** `source`: the file as written (2.1 templates may stand in for any value); `processed`: after processing. */
  readonly mode: 'source' | 'processed';
  readonly sink: DiagnosticSink;
  readonly definitions: Readonly<Record<string, Schema>>;
  /** Subtrees known to be valid against a schema (see `ValidateOptions.clean`). */
  readonly clean: WeakMap<Schema, WeakSet<object>>;
  /** Counts what was accepted only because the config is a 2.1 source (templates, commands). */
  readonly lenient: { count: number };
  /** Validates a node against a schema (for custom schemas and rules). */
  readonly check: (node: YNode, schema: Schema, path: Path, keyPos?: SourcePos) => void;
}

export const str = (extra: Omit<StringSchema, 'kind'> = {}): StringSchema => ({
  kind: 'string',
  ...extra,
});
export const int = (extra: Omit<IntegerSchema, 'kind'> = {}): IntegerSchema => ({
  kind: 'integer',
  ...extra,
});
export const num = (extra: Omit<NumberSchema, 'kind'> = {}): NumberSchema => ({
  kind: 'number',
  ...extra,
});
export const bool = (extra: Omit<BooleanSchema, 'kind'> = {}): BooleanSchema => ({
  kind: 'boolean',
  ...extra,
});
export const duration = (extra: Omit<DurationSchema, 'kind'> = {}): DurationSchema => ({
  kind: 'duration',
  ...extra,
});
export const nul = (): NullSchema => ({ kind: 'null' });
export const any = (extra: Omit<AnySchema, 'kind'> = {}): AnySchema => ({ kind: 'any', ...extra });
export const ref = (name: string, description?: string): RefSchema =>
  description === undefined ? { kind: 'ref', name } : { kind: 'ref', name, description };

export function oneOf(values: readonly string[], description?: string): EnumSchema {
  return description === undefined
    ? { kind: 'enum', values }
    : { kind: 'enum', values, description };
}

export function list(items: Schema, extra: Omit<ListSchema, 'kind' | 'items'> = {}): ListSchema {
  return { kind: 'list', items, ...extra };
}

export function union(...options: Schema[]): UnionSchema {
  return { kind: 'union', options };
}

export function object(
  noun: string,
  properties: Readonly<Record<string, Property | Schema>>,
  extra: Omit<ObjectSchema, 'kind' | 'noun' | 'properties' | 'additional'> & {
    additional?: ObjectSchema['additional'];
  } = {},
): ObjectSchema {
  const props: Record<string, Property> = {};
  for (const [k, v] of Object.entries(properties)) props[k] = 'schema' in v ? v : { schema: v };
  return { kind: 'object', noun, properties: props, additional: 'error', ...extra };
}

export function mapOf(
  noun: string,
  values: Schema,
  extra: Omit<MapSchema, 'kind' | 'noun' | 'values'> = {},
): MapSchema {
  return { kind: 'map', noun, values, ...extra };
}

/** A property only allowed in 2.1. */
export function v21(schema: Schema, description?: string): Property {
  return description === undefined
    ? { schema, since: '2.1' }
    : { schema, since: '2.1', description };
}

export function unsupported(schema: Schema, message: string, since?: '2.1'): Property {
  const p: Property = { schema, support: { severity: 'error', code: 'unsupported', message } };
  return since ? { ...p, since } : p;
}

export function ignored(schema: Schema, message: string, since?: '2.1'): Property {
  const p: Property = { schema, support: { severity: 'warning', code: 'ignored', message } };
  return since ? { ...p, since } : p;
}

export function deprecated(schema: Schema, message: string): Property {
  return { schema, support: { severity: 'warning', code: 'deprecated', message } };
}

export function described<S extends Schema>(schema: S, description: string): S {
  return { ...schema, description };
}
