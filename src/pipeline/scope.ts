import type { DiagnosticSink, SourcePos } from './diagnostic.js';
import { type Declarations, readDeclarations } from './parameters.js';
import { type Path, type YMap, type YNode, childPath, get, isMap } from './yaml-node.js';

export type ElementKind = 'command' | 'executor' | 'job';

/** A reusable definition: a command, an executor or a job, with its parameter declarations. */
export interface Element {
  readonly kind: ElementKind;
  readonly name: string;
  /** The name as seen from the root config (`node/install` for an orb command). */
  readonly qualifiedName: string;
  readonly node: YNode;
  /** Where the element is named (its key), for messages about the whole element. */
  readonly keyPos: SourcePos;
  readonly path: Path;
  readonly decls: Declarations;
  readonly scope: Scope;
}

/**
 * What names mean at one place: the root config, or the inside of one orb. Orb elements see the
 * orb's own commands, executors and jobs unqualified, and the orbs the orb imports as `alias/x`.
 */
export interface Scope {
  /** For messages: `the config` or `orb node (circleci/node@5.1)`. */
  readonly label: string;
  /** The orb alias seen from the root config, '' for the root. */
  readonly prefix: string;
  readonly isOrb: boolean;
  readonly commands: Map<string, Element>;
  readonly executors: Map<string, Element>;
  readonly jobs: Map<string, Element>;
  readonly orbs: Map<string, Scope>;
}

const sections: readonly [ElementKind, 'commands' | 'executors' | 'jobs'][] = [
  ['command', 'commands'],
  ['executor', 'executors'],
  ['job', 'jobs'],
];

/** Builds the scope of a config or orb body; its `orbs` map is filled in by the caller. */
export function buildScope(
  body: YMap,
  options: {
    readonly label: string;
    readonly prefix: string;
    readonly isOrb: boolean;
    readonly basePath: Path;
  },
  sink: DiagnosticSink,
): Scope {
  const scope: Scope = {
    label: options.label,
    prefix: options.prefix,
    isOrb: options.isOrb,
    commands: new Map(),
    executors: new Map(),
    jobs: new Map(),
    orbs: new Map(),
  };
  for (const [kind, key] of sections) {
    const section = get(body, key);
    if (!isMap(section)) continue;
    const sectionPath = childPath(options.basePath, key);
    const target =
      key === 'commands' ? scope.commands : key === 'executors' ? scope.executors : scope.jobs;
    const lowered = new Map<string, string>();
    for (const p of section.pairs) {
      const path = childPath(sectionPath, p.key.name);
      const same = kind === 'job' ? lowered.get(p.key.name.toLowerCase()) : undefined;
      if (same !== undefined)
        sink.error(
          'duplicate-job-name',
          `job "${p.key.name}" has the same name as job "${same}" (job names are compared ignoring case)`,
          p.key.pos,
          path,
        );
      lowered.set(p.key.name.toLowerCase(), p.key.name);
      const decls = isMap(p.value)
        ? readDeclarations(get(p.value, 'parameters'), kind, sink, childPath(path, 'parameters'))
        : new Map();
      target.set(p.key.name, {
        kind,
        name: p.key.name,
        qualifiedName: options.prefix === '' ? p.key.name : `${options.prefix}/${p.key.name}`,
        node: p.value,
        keyPos: p.key.pos,
        path,
        decls,
        scope,
      });
    }
  }
  return scope;
}

export type Lookup =
  | { readonly found: true; readonly element: Element }
  | { readonly found: false; readonly unknownOrb?: string };

function table(scope: Scope, kind: ElementKind): Map<string, Element> {
  return kind === 'command' ? scope.commands : kind === 'executor' ? scope.executors : scope.jobs;
}

/** Resolves `name` or `alias/name` in a scope. */
export function lookup(scope: Scope, kind: ElementKind, name: string): Lookup {
  const slash = name.indexOf('/');
  if (slash < 0) {
    const element = table(scope, kind).get(name);
    return element ? { found: true, element } : { found: false };
  }
  const alias = name.slice(0, slash);
  const orb = scope.orbs.get(alias);
  if (!orb) return { found: false, unknownOrb: alias };
  const element = table(orb, kind).get(name.slice(slash + 1));
  return element ? { found: true, element } : { found: false };
}

/** Every name of this kind visible in the scope, for suggestions. */
export function visibleNames(scope: Scope, kind: ElementKind): string[] {
  const out = [...table(scope, kind).keys()];
  for (const [alias, orb] of scope.orbs)
    for (const n of table(orb, kind).keys()) out.push(`${alias}/${n}`);
  return out;
}
