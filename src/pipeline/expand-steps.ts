import { didYouMean } from './did-you-mean.js';
import { substitute } from './interpolate.js';
import { evaluateLogic } from './logic.js';
import { type ProcessContext, argumentsOf, bindElement, templateScope } from './process-context.js';
import { builtinStepName, builtinSteps } from './schema/step-schema.js';
import { type Element, type Scope, lookup, visibleNames } from './scope.js';
import {
  type Path,
  type YNode,
  childPath,
  get,
  indexPath,
  isMap,
  scalar,
  ymap,
} from './yaml-node.js';

const maxDepth = 64;
const builtinNames = Object.keys(builtinSteps);

/**
 * Expands a list of steps into built-in steps only: command invocations are replaced by the
 * command's steps (with its parameters substituted), `when`/`unless` steps by their steps or
 * nothing, `steps:` splices by their items. Steps that cannot be expanded are reported and left
 * out.
 */
export function expandSteps(
  steps: YNode | undefined,
  scope: Scope,
  ctx: ProcessContext,
  path: Path,
  stack: readonly Element[],
): YNode[] {
  if (steps === undefined) return [];
  const items = steps.kind === 'seq' ? steps.items : [steps];
  const out: YNode[] = [];
  items.forEach((item, i) => {
    const at = steps.kind === 'seq' ? indexPath(path, i) : path;
    expandStep(item, ctx.origins.get(item) ?? scope, ctx, at, stack, out);
  });
  return out;
}

function expandStep(
  step: YNode,
  scope: Scope,
  ctx: ProcessContext,
  path: Path,
  stack: readonly Element[],
  out: YNode[],
): void {
  let name: string;
  let value: YNode | undefined;
  let pos = step.pos;
  if (step.kind === 'scalar' && typeof step.value === 'string') {
    name = step.value;
  } else if (isMap(step) && step.pairs.length === 1 && step.pairs[0]) {
    name = step.pairs[0].key.name;
    value = step.pairs[0].value;
    pos = step.pairs[0].key.pos;
  } else {
    return; // not a step: reported by validation
  }
  const v21 = ctx.version === '2.1';
  if (v21) {
    const command = findCommand(name, scope, stack, ctx, step, path);
    if (command === 'error') return;
    if (command) {
      invoke(command, value, scope, ctx, step, path, stack, out);
      return;
    }
    if (name === 'when' || name === 'unless') {
      const condition = isMap(value) ? get(value, 'condition') : undefined;
      if (!isMap(value) || condition === undefined) return;
      const at = childPath(path, name);
      if (evaluateLogic(condition, ctx.sink, childPath(at, 'condition')) === (name === 'when'))
        out.push(...expandSteps(get(value, 'steps'), scope, ctx, childPath(at, 'steps'), stack));
      return;
    }
    if (name === 'steps') {
      if (value?.kind === 'seq')
        out.push(...expandSteps(value, scope, ctx, childPath(path, 'steps'), stack));
      return;
    }
  }
  if (name === 'when' || name === 'unless' || name === 'steps' || name === 'install_signing_bundle')
    return; // reported by validation
  const builtin = builtinStepName(name);
  if (builtin === name) {
    out.push(step);
    return;
  }
  if (builtin !== undefined) {
    ctx.sink.warning(
      'deprecated',
      `step "${name}" is spelled ${builtin}; Airlock reads it as ${builtin}`,
      pos,
      path,
    );
    out.push(
      isMap(step) && step.pairs[0]
        ? ymap([{ key: { name: builtin, pos }, value: step.pairs[0].value }], step.pos)
        : scalar(builtin, step.pos),
    );
    return;
  }
  if (!v21) {
    ctx.sink.error(
      'unknown-step',
      `unknown step "${name}"${didYouMean(name, builtinNames)}`,
      pos,
      path,
    );
    return;
  }
  const slash = name.indexOf('/');
  if (slash > 0 && !scope.orbs.has(name.slice(0, slash))) {
    ctx.sink.error(
      'unknown-orb',
      `step "${name}" uses orb "${name.slice(0, slash)}", which is not declared under orbs${didYouMean(name.slice(0, slash), [...scope.orbs.keys()])}`,
      pos,
      path,
    );
    return;
  }
  ctx.sink.error(
    'unknown-command',
    `"${name}" is neither a built-in step nor a command defined in ${scope.label}${didYouMean(name, [...builtinNames, ...visibleNames(scope, 'command')])}`,
    pos,
    path,
  );
}

function findCommand(
  name: string,
  scope: Scope,
  stack: readonly Element[],
  ctx: ProcessContext,
  step: YNode,
  path: Path,
): Element | undefined | 'error' {
  const found = lookup(scope, 'command', name);
  if (!found.found) return undefined;
  if (!stack.includes(found.element)) {
    if (stack.length < maxDepth) return found.element;
  } else if (Object.hasOwn(builtinSteps, name)) {
    return undefined; // a command shadowing a built-in step calls the built-in inside itself
  }
  ctx.sink.error(
    'recursive-command',
    `command "${name}" invokes itself (${[...stack.map((e) => e.qualifiedName), name].join(' -> ')})`,
    step.pos,
    path,
  );
  return 'error';
}

function invoke(
  command: Element,
  args: YNode | undefined,
  callerScope: Scope,
  ctx: ProcessContext,
  step: YNode,
  path: Path,
  stack: readonly Element[],
  out: YNode[],
): void {
  const what = `command "${command.qualifiedName}"`;
  const bound = bindElement(ctx, command, argumentsOf(args), callerScope, {
    what,
    pos: step.pos,
    path,
  });
  if (!bound || !isMap(command.node)) return;
  const body = get(command.node, 'steps');
  if (body === undefined) return;
  const bodyPath = childPath(command.path, 'steps');
  const substituted = substitute(
    body,
    templateScope(ctx, bound, what, command.scope.isOrb),
    ctx.sink,
    bodyPath,
  );
  out.push(...expandSteps(substituted, command.scope, ctx, bodyPath, [...stack, command]));
}
