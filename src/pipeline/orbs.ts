import type { DiagnosticSink, SourcePos } from './diagnostic.js';
import { type TemplateScope, substitute } from './interpolate.js';
import { loadYaml } from './load-yaml.js';
import { definitions, orbFileSchema } from './schema/config-schema.js';
import { validateNode } from './schema/validate.js';
import { type Scope, buildScope } from './scope.js';
import {
  type Path,
  type YMap,
  type YNode,
  childPath,
  get,
  isMap,
  textOf,
  ymap,
} from './yaml-node.js';

/** A vendored orb's source: its text, optionally with the file it came from (for diagnostics). */
export type OrbSource = string | { readonly text: string; readonly file: string };

export interface OrbRef {
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
}

const refRe = /^([a-z0-9][a-z0-9_-]*)\/([a-z0-9][a-z0-9_-]*)@(\S+)$/i;

export function parseOrbRef(text: string): OrbRef | undefined {
  const m = refRe.exec(text.trim());
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { namespace: m[1], name: m[2], version: m[3] };
}

export function formatOrbRef(ref: OrbRef): string {
  return `${ref.namespace}/${ref.name}@${ref.version}`;
}

/** Where a vendored orb's source goes, relative to the `.circleci` folder. */
export function vendoredOrbPath(ref: OrbRef): string {
  return `orbs/${ref.namespace}/${ref.name}@${ref.version}.yml`;
}

function semver(version: string): number[] | undefined {
  return /^\d+(\.\d+){0,2}$/.test(version) ? version.split('.').map(Number) : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Finds the vendored source for a reference: the exact key first; for a partial version
 * (`@5`, `@5.1`) or `@volatile`, the highest vendored full version that it covers.
 */
export function findVendoredOrb(
  ref: OrbRef,
  vendored: Readonly<Record<string, OrbSource>>,
): { readonly key: string; readonly source: OrbSource } | undefined {
  const exact = formatOrbRef(ref);
  const hit = vendored[exact];
  if (hit !== undefined) return { key: exact, source: hit };
  const wanted = semver(ref.version);
  if (ref.version !== 'volatile' && (wanted === undefined || wanted.length === 3)) return undefined;
  let best: { key: string; version: number[] } | undefined;
  for (const key of Object.keys(vendored)) {
    const candidate = parseOrbRef(key);
    if (!candidate || candidate.namespace !== ref.namespace || candidate.name !== ref.name)
      continue;
    const v = semver(candidate.version);
    if (!v || v.length !== 3) continue;
    if (wanted && !wanted.every((n, i) => v[i] === n)) continue;
    if (!best || compareVersions(v, best.version) > 0) best = { key, version: v };
  }
  if (!best) return undefined;
  const source = vendored[best.key];
  return source === undefined ? undefined : { key: best.key, source };
}

export interface MissingOrb {
  readonly ref: string;
  readonly pos: SourcePos;
  readonly path: Path;
}

interface ResolveContext {
  readonly sink: DiagnosticSink;
  readonly vendored: Readonly<Record<string, OrbSource>>;
  readonly loaded: Map<string, YMap | null>;
  readonly missing: MissingOrb[];
  readonly stack: string[];
}

/**
 * Resolves the `orbs:` of the root config into scopes, recursively (orbs import orbs). Registry
 * orbs come from the vendored sources; inline orbs from the config. References whose source is
 * missing are collected, not reported: the caller reports them all in one diagnostic.
 */
export function resolveOrbs(
  root: YMap,
  rootScope: Scope,
  vendored: Readonly<Record<string, OrbSource>>,
  templates: TemplateScope,
  sink: DiagnosticSink,
): MissingOrb[] {
  const ctx: ResolveContext = { sink, vendored, loaded: new Map(), missing: [], stack: [] };
  const orbs = get(root, 'orbs');
  if (isMap(orbs)) {
    // Pipeline parameters may pick registry orb versions; inline orbs keep their own scope.
    const refs = ymap(
      orbs.pairs.map((p) =>
        p.value.kind === 'scalar'
          ? {
              key: p.key,
              value: substitute(p.value, templates, sink, childPath('orbs', p.key.name)),
            }
          : p,
      ),
      orbs.pos,
    );
    importOrbs(refs, rootScope, 'orbs', ctx);
  }
  return ctx.missing;
}

function importOrbs(orbs: YMap, into: Scope, path: Path, ctx: ResolveContext): void {
  for (const p of orbs.pairs) {
    const alias = p.key.name;
    const at = childPath(path, alias);
    const label = into.isOrb ? `${into.prefix}/${alias}` : alias;
    if (isMap(p.value)) {
      into.orbs.set(alias, orbScope(p.value, `orb ${label} (inline)`, alias, at, ctx));
      continue;
    }
    const text = textOf(p.value);
    if (text === undefined) continue;
    if (/^https?:\/\//.test(text)) {
      ctx.sink.error(
        'unsupported',
        `orbs referenced by URL are not supported; vendor the orb's source and reference it as namespace/name@version`,
        p.value.pos,
        at,
      );
      continue;
    }
    const ref = parseOrbRef(text);
    if (!ref) {
      ctx.sink.error(
        'invalid-orb-reference',
        `"${text}" is not an orb reference; use namespace/name@version, e.g. circleci/node@5.1`,
        p.value.pos,
        at,
      );
      continue;
    }
    const found = findVendoredOrb(ref, ctx.vendored);
    if (!found) {
      if (!ctx.missing.some((m) => m.ref === formatOrbRef(ref)))
        ctx.missing.push({ ref: formatOrbRef(ref), pos: p.value.pos, path: at });
      continue;
    }
    if (ctx.stack.includes(found.key)) {
      ctx.sink.error(
        'unsupported',
        `orb ${found.key} imports itself (through ${ctx.stack.join(' -> ')})`,
        p.value.pos,
        at,
      );
      continue;
    }
    const body = loadOrb(found.key, found.source, ctx);
    if (!body) continue;
    ctx.stack.push(found.key);
    into.orbs.set(alias, orbScope(body, `orb ${label} (${found.key})`, alias, '', ctx));
    ctx.stack.pop();
  }
}

function orbScope(
  body: YMap,
  label: string,
  alias: string,
  basePath: Path,
  ctx: ResolveContext,
): Scope {
  const scope = buildScope(body, { label, prefix: alias, isOrb: true, basePath }, ctx.sink);
  const inner = get(body, 'orbs');
  if (isMap(inner)) importOrbs(inner, scope, childPath(basePath, 'orbs'), ctx);
  return scope;
}

function loadOrb(key: string, source: OrbSource, ctx: ResolveContext): YMap | undefined {
  const known = ctx.loaded.get(key);
  if (known !== undefined) return known ?? undefined;
  const text = typeof source === 'string' ? source : source.text;
  const file = typeof source === 'string' ? `orb:${key}` : source.file;
  const node: YNode | undefined = loadYaml(text, file, ctx.sink);
  if (!isMap(node)) {
    if (node !== undefined || text.trim() === '')
      ctx.sink.error(
        'not-a-mapping',
        `the source of orb ${key} is not a YAML mapping`,
        { file, line: 1, column: 1 },
        '',
      );
    ctx.loaded.set(key, null);
    return undefined;
  }
  validateNode(
    node,
    orbFileSchema,
    { version: '2.1', mode: 'source', sink: ctx.sink, definitions },
    '',
  );
  ctx.loaded.set(key, node);
  return node;
}

/** The one diagnostic for every registry orb that is not vendored. */
export function missingOrbsMessage(missing: readonly MissingOrb[]): string {
  const refs = missing.map((m) => m.ref);
  const first = missing[0];
  const example = first ? parseOrbRef(first.ref) : undefined;
  const how = example
    ? ` (on a machine that can reach the registry: circleci orb source ${first?.ref} > .circleci/${vendoredOrbPath(example)})`
    : '';
  return `${refs.length === 1 ? 'registry orb' : `${refs.length} registry orbs`} not available locally: ${refs.join(', ')}. Airlock does not contact an orb registry: vendor each orb's source as .circleci/orbs/<namespace>/<name>@<version>.yml next to the config${how}, or put it in the folder given with --orbs-dir`;
}
