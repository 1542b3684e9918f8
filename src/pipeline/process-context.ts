import type { DiagnosticSink, SourcePos } from './diagnostic.js';
import type { TemplateScope } from './interpolate.js';
import { type Argument, bindArguments } from './parameters.js';
import type { Element, Scope } from './scope.js';
import { type Path, type YNode, isMap, yseq } from './yaml-node.js';

/** What processing (2.1 -> 2.0) carries from one element to the next. */
export interface ProcessContext {
  readonly sink: DiagnosticSink;
  readonly version: '2' | '2.1';
  readonly pipelineValues: ReadonlyMap<string, string | number>;
  readonly pipelineParams: ReadonlyMap<string, YNode>;
  /**
   * The scope a steps or executor value was written in, for values passed as arguments:
   * commands named in steps handed to an orb command still resolve in the caller's scope.
   */
  readonly origins: WeakMap<object, Scope>;
}

export function templateScope(
  ctx: ProcessContext,
  params: ReadonlyMap<string, YNode> | undefined,
  what: string,
  inOrb: boolean,
  extra: Partial<Pick<TemplateScope, 'matrix' | 'skipKeys'>> = {},
): TemplateScope {
  return {
    params,
    what,
    pipelineValues: ctx.pipelineValues,
    pipelineParams: ctx.pipelineParams,
    inOrb,
    ...extra,
  };
}

/** The arguments written as the pairs of a map (`cmd: { a: 1 }`, executor and job entries). */
export function argumentsOf(
  node: YNode | undefined,
  skip: ReadonlySet<string> = new Set(),
): Argument[] {
  if (!isMap(node)) return [];
  return node.pairs
    .filter((p) => !skip.has(p.key.name))
    .map((p) => ({ name: p.key.name, value: p.value, keyPos: p.key.pos }));
}

/**
 * Binds arguments to an element's parameters and records where steps and executor values were
 * written (the caller's scope for passed values, the element's own scope for defaults).
 */
export function bindElement(
  ctx: ProcessContext,
  element: Element,
  args: readonly Argument[],
  callerScope: Scope,
  at: {
    readonly what: string;
    readonly pos: SourcePos;
    readonly path: Path;
    readonly extraNames?: readonly string[];
  },
): Map<string, YNode> | undefined {
  const bound = bindArguments(element.decls, args, ctx.sink, at);
  if (!bound) return undefined;
  for (const [name, value] of bound) {
    const decl = element.decls.get(name);
    if (decl?.type !== 'steps' && decl?.type !== 'executor') continue;
    const passed = args.some((a) => a.name === name);
    const origin = passed ? callerScope : element.scope;
    bound.set(
      name,
      decl.type === 'steps' ? adoptSteps(ctx, value, origin) : adopt(ctx, value, origin),
    );
  }
  return bound;
}

function adopt<T extends YNode>(ctx: ProcessContext, node: T, origin: Scope): T {
  const copy = { ...node };
  ctx.origins.set(copy, ctx.origins.get(node) ?? origin);
  return copy;
}

function adoptSteps(ctx: ProcessContext, value: YNode, origin: Scope): YNode {
  if (value.kind !== 'seq') return value;
  return yseq(
    value.items.map((item) => adopt(ctx, item, origin)),
    value.pos,
  );
}

/** Registers every item of a list (pre-steps, post-steps) as written in `origin`. */
export function adoptList(
  ctx: ProcessContext,
  value: YNode | undefined,
  origin: Scope,
): YNode | undefined {
  return value === undefined ? undefined : adoptSteps(ctx, value, origin);
}
