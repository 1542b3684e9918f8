import { didYouMean } from '../did-you-mean.js';
import { type Path, type YNode, childPath, describeNode, isMap } from '../yaml-node.js';
import {
  type CustomSchema,
  type ObjectSchema,
  type Schema,
  type ValidationContext,
  bool,
  duration,
  int,
  list,
  mapOf,
  nul,
  num,
  object,
  oneOf,
  ref,
  str,
  union,
  unsupported,
} from './schema.js';

export const stepWhen = oneOf(['on_success', 'always', 'on_fail'], 'when the step runs');

export const environment: Schema = union(
  nul(),
  mapOf('environment variables', union(str(), num(), bool(), nul())),
  list(
    union(
      str({ pattern: '^[^=]+=', patternHint: 'a KEY=VALUE string' }),
      mapOf('environment variables', union(str(), num(), bool(), nul())),
    ),
  ),
);

const name = str({ description: 'the name shown in the UI' });
const stringList = list(str());

const runObject = object(
  'run step',
  {
    command: str({ description: 'the command, run by the shell' }),
    name,
    shell: union(str(), list(str(), { minItems: 1 })),
    environment,
    background: bool(),
    working_directory: str(),
    no_output_timeout: duration(),
    when: stepWhen,
    max_auto_reruns: unsupported(int(), 'max_auto_reruns is not supported by Airlock'),
    auto_rerun_delay: unsupported(duration(), 'auto_rerun_delay is not supported by Airlock'),
  },
  { required: ['command'] },
);

export const runStep: Schema = union(str({ description: 'the command (and name)' }), runObject);

/** The built-in steps and the schema of their value. */
export const builtinSteps: Readonly<Record<string, Schema>> = {
  run: runStep,
  checkout: union(
    nul(),
    object('checkout step', {
      path: str(),
      method: oneOf(['full', 'blobless', 'shallow']),
      depth: int({ minimum: 1 }),
      name,
      when: stepWhen,
    }),
  ),
  save_cache: object(
    'save_cache step',
    { paths: list(str(), { minItems: 1 }), key: str(), name, when: stepWhen },
    { required: ['paths', 'key'] },
  ),
  restore_cache: object(
    'restore_cache step',
    { key: str(), keys: list(str(), { minItems: 1 }), name, when: stepWhen },
    {
      rules: [
        (map, ctx, path, at) => {
          if (!map.pairs.some((p) => p.key.name === 'key' || p.key.name === 'keys'))
            ctx.sink.error('missing-key', 'restore_cache step needs "key" or "keys"', at, path);
        },
      ],
    },
  ),
  persist_to_workspace: object(
    'persist_to_workspace step',
    { root: str(), paths: list(str(), { minItems: 1 }), name, when: stepWhen },
    { required: ['root', 'paths'] },
  ),
  attach_workspace: object(
    'attach_workspace step',
    { at: str(), name, when: stepWhen },
    { required: ['at'] },
  ),
  store_artifacts: object(
    'store_artifacts step',
    { path: str(), destination: str(), name, when: stepWhen },
    { required: ['path'] },
  ),
  store_test_results: object(
    'store_test_results step',
    { path: str(), name, when: stepWhen },
    { required: ['path'] },
  ),
  add_ssh_keys: union(
    nul(),
    object('add_ssh_keys step', { fingerprints: stringList, name, when: stepWhen }),
  ),
  setup_remote_docker: union(
    nul(),
    object('setup_remote_docker step', {
      docker_layer_caching: bool(),
      version: str(),
      prefer_same_region: bool(),
      name,
      when: stepWhen,
    }),
  ),
  deploy: runStep,
  when: conditional('when step'),
  unless: conditional('unless step'),
  steps: list(ref('step')),
};

/**
 * The built-in step a name stands for: itself, or the underscore spelling of a hyphenated name
 * (`restore-cache`), which CircleCI accepts in real configs.
 */
export function builtinStepName(name: string): string | undefined {
  if (Object.hasOwn(builtinSteps, name)) return name;
  const underscored = name.replace(/-/g, '_');
  return underscored !== name &&
    Object.hasOwn(builtinSteps, underscored) &&
    !steps21.has(underscored)
    ? underscored
    : undefined;
}

/** Steps that may be written as a bare name. */
export const bareSteps: ReadonlySet<string> = new Set([
  'checkout',
  'add_ssh_keys',
  'setup_remote_docker',
]);

/** Steps only allowed in 2.1 configs. */
const steps21: ReadonlySet<string> = new Set(['when', 'unless', 'steps']);

const unsupportedSteps: Readonly<Record<string, string>> = {
  install_signing_bundle: 'install_signing_bundle (macOS code signing) is not supported by Airlock',
};

function conditional(noun: string): ObjectSchema {
  return object(
    noun,
    { condition: ref('logic'), steps: list(ref('step'), { single: true }) },
    { required: ['condition', 'steps'] },
  );
}

/**
 * A step: a bare name (`checkout`, or a command in 2.1) or a map with exactly one key, the step
 * type or command name. In 2.1 source configs names that are not built in are command
 * invocations, checked when the config is processed.
 */
export const stepSchema: CustomSchema = {
  kind: 'custom',
  name: 'step',
  description: 'a step (a name, or a map with one key)',
  accepts: ['string', 'map'],
  validate(node, ctx, path) {
    const commandsAllowed = ctx.mode === 'source' && ctx.version === '2.1';
    const unknown = (stepName: string, at: YNode): void => {
      if (commandsAllowed) {
        ctx.lenient.count++;
        return;
      }
      ctx.sink.error(
        'unknown-step',
        `unknown step "${stepName}"${didYouMean(stepName, Object.keys(builtinSteps))}`,
        at.pos,
        path,
      );
    };
    if (node.kind === 'scalar' && typeof node.value === 'string') {
      const written = node.value;
      const stepName = commandsAllowed ? written : (builtinStepName(written) ?? written);
      if (stepName !== written) hyphenWarning(written, stepName, node, ctx, path);
      if (bareSteps.has(stepName)) return;
      if (Object.hasOwn(unsupportedSteps, stepName)) {
        ctx.sink.error('unsupported', unsupportedSteps[stepName] ?? '', node.pos, path);
        return;
      }
      if (Object.hasOwn(builtinSteps, stepName)) {
        ctx.sink.error(
          'invalid-step',
          `the ${stepName} step needs a value, e.g. ${stepName}: …`,
          node.pos,
          path,
        );
        return;
      }
      unknown(stepName, node);
      return;
    }
    if (!isMap(node)) {
      ctx.sink.error(
        'invalid-step',
        `a step is a name or a map with one key, got ${describeNode(node)}`,
        node.pos,
        path,
      );
      return;
    }
    const first = node.pairs[0];
    if (node.pairs.length !== 1 || !first) {
      ctx.sink.error(
        'invalid-step',
        node.pairs.length === 0
          ? 'a step map must have one key (the step type or command name)'
          : `a step map must have exactly one key, found ${node.pairs.map((p) => p.key.name).join(', ')} (is the indentation of the step's settings right?)`,
        node.pos,
        path,
      );
      return;
    }
    const written = first.key.name;
    const key = commandsAllowed ? written : (builtinStepName(written) ?? written);
    const at = childPath(path, written);
    if (key !== written)
      hyphenWarning(written, key, { ...first.value, pos: first.key.pos } as YNode, ctx, at);
    if (Object.hasOwn(unsupportedSteps, key)) {
      ctx.sink.error('unsupported', unsupportedSteps[key] ?? '', first.key.pos, at);
      return;
    }
    const schema = Object.hasOwn(builtinSteps, key) ? builtinSteps[key] : undefined;
    if (schema) {
      if (steps21.has(key) && ctx.version === '2') {
        ctx.sink.error(
          'requires-version-2.1',
          `the ${key} step requires version: 2.1 (this config is version 2)`,
          first.key.pos,
          at,
        );
        return;
      }
      if (key === 'deploy')
        ctx.sink.warning(
          'deprecated',
          'the deploy step is deprecated; it runs as a run step',
          first.key.pos,
          at,
        );
      ctx.check(first.value, schema, at, first.key.pos);
      return;
    }
    unknown(key, { ...first.value, pos: first.key.pos } as YNode);
    if (
      commandsAllowed &&
      !(first.value.kind === 'map' || (first.value.kind === 'scalar' && first.value.value === null))
    )
      ctx.sink.error(
        'wrong-type',
        `the arguments of command "${key}" must be a map of parameter values, got ${describeNode(first.value)}`,
        first.value.pos,
        at,
      );
  },
  json: (toJson) => {
    const properties: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(builtinSteps)) properties[k] = toJson(v);
    return {
      anyOf: [
        { type: 'string', description: 'a built-in step without settings, or a command name' },
        {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          description: 'a built-in step or a command invocation (command name: parameter values)',
          properties,
          additionalProperties: { type: ['object', 'null'] },
        },
      ],
    };
  },
};

function hyphenWarning(
  written: string,
  canonical: string,
  node: YNode,
  ctx: ValidationContext,
  path: Path,
): void {
  ctx.sink.warning(
    'deprecated',
    `step "${written}" is spelled ${canonical}; Airlock reads it as ${canonical}`,
    node.pos,
    path,
  );
}
