import { childPath, get, textOf } from '../yaml-node.js';
import { logicSchema } from './logic-schema.js';
import {
  type ObjectRule,
  type Schema,
  any,
  bool,
  deprecated,
  ignored,
  int,
  list,
  mapOf,
  num,
  object,
  oneOf,
  ref,
  str,
  union,
  unsupported,
  v21,
} from './schema.js';
import { environment, stepSchema } from './step-schema.js';
import { jobEntrySchema, workflowsSchema } from './workflow-schema.js';

export const parameterTypes = [
  'string',
  'boolean',
  'integer',
  'enum',
  'executor',
  'steps',
  'env_var_name',
] as const;
export const pipelineParameterTypes = ['string', 'boolean', 'integer', 'enum'] as const;
export const jobTypes = ['build', 'approval', 'no-op', 'release', 'lock', 'unlock'] as const;

const jobNamePattern = {
  pattern: '^[A-Za-z][A-Za-z\\s\\d_.-]*$',
  hint: 'a job name (a letter, then letters, digits, spaces, ., _ or -)',
  severity: 'warning' as const,
};
const elementNamePattern = {
  pattern: '^[a-z][a-z\\d_-]*$',
  hint: 'a lowercase name (a letter, then lowercase letters, digits, _ or -)',
  severity: 'warning' as const,
};

const stringOrList = union(str(), list(str()));

/** Classes CircleCI names (`medium`, `large.gen2`, `arm.medium`, `macos.m1.medium.gen1`) or a self-hosted `namespace/name`. */
const resourceClass = str({
  pattern:
    '^(small|medium\\+?|large|xlarge|2xlarge\\+?|[a-z0-9]+(\\.[a-z0-9+-]+)+|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)$',
  patternHint:
    'a resource class such as small, medium, medium+, large, xlarge, 2xlarge, arm.medium, large.gen2 or a self-hosted namespace/name',
  patternSeverity: 'warning',
});

/** A shell command line; S1 also allows it as a list of words. */
const shell = union(str(), list(str(), { minItems: 1 }));

const parameterDeclaration = object(
  'parameter declaration',
  {
    type: oneOf(parameterTypes),
    default: any(),
    description: str(),
    enum: list(union(str(), num(), bool()), { minItems: 1 }),
  },
  { required: ['type'] },
);

const pipelineParameterDeclaration = object(
  'pipeline parameter declaration',
  {
    type: oneOf(pipelineParameterTypes),
    default: any(),
    description: str(),
    enum: list(union(str(), num(), bool()), { minItems: 1 }),
  },
  { required: ['type', 'default'] },
);

const dockerImage = object(
  'docker image',
  {
    image: str(),
    name: str({ description: 'host name of a service container' }),
    entrypoint: stringOrList,
    command: stringOrList,
    user: str(),
    environment,
    auth: object(
      'auth',
      { username: str(), password: str() },
      { required: ['username', 'password'] },
    ),
    aws_auth: object('aws_auth', {
      aws_access_key_id: str(),
      aws_secret_access_key: str(),
      oidc_role_arn: str(),
    }),
    gcp_auth: any(),
  },
  { required: ['image'] },
);

const machine = union(
  bool(),
  object('machine', {
    image: str(),
    docker_layer_caching: bool(),
    resource_class: resourceClass,
    shell,
    enabled: bool(),
  }),
);

const macos = object(
  'macos',
  { xcode: str(), resource_class: resourceClass, shell, code_signing: any() },
  { required: ['xcode'] },
);

const executorKinds = ['docker', 'machine', 'macos'] as const;

/** Exactly one of `keys` (or of `keys` plus `executor` for jobs) must be present. */
function exactlyOneExecutor(withExecutorKey: boolean): ObjectRule {
  return (map, ctx, path, at) => {
    const type = textOf(get(map, 'type')) ?? 'build';
    if (withExecutorKey && type !== 'build') return;
    const keys = withExecutorKey ? [...executorKinds, 'executor'] : executorKinds;
    const present = map.pairs.filter((p) => (keys as readonly string[]).includes(p.key.name));
    if (present.length === 0) {
      ctx.sink.error(
        'invalid-executor',
        `${withExecutorKey ? 'a job' : 'an executor'} needs one of ${keys.join(', ')}`,
        at,
        path,
      );
    } else if (present.length > 1) {
      const second = present[1];
      if (second)
        ctx.sink.error(
          'conflicting-keys',
          `${present.map((p) => p.key.name).join(' and ')} exclude each other; use only one`,
          second.key.pos,
          childPath(path, second.key.name),
        );
    }
  };
}

const jobRules: ObjectRule = (map, ctx, path, at) => {
  const typeNode = get(map, 'type');
  const type = textOf(typeNode) ?? 'build';
  if (typeNode && (type === 'release' || type === 'lock' || type === 'unlock'))
    ctx.sink.error(
      'unsupported',
      `jobs of type ${type} are not supported by Airlock`,
      typeNode.pos,
      childPath(path, 'type'),
    );
  if (type === 'build' && !map.pairs.some((p) => p.key.name === 'steps'))
    ctx.sink.error('missing-key', 'job is missing the required key "steps"', at, path);
};

const executorInvocation = union(
  str({ description: 'an executor name' }),
  object('executor invocation', { name: str() }, { required: ['name'], additional: any() }),
);

const job = object(
  'job',
  {
    type: oneOf(jobTypes),
    docker: list(dockerImage, { minItems: 1 }),
    machine,
    macos,
    executor: v21(executorInvocation),
    resource_class: resourceClass,
    parallelism: int({ minimum: 1 }),
    environment,
    working_directory: str(),
    shell,
    steps: list(ref('step')),
    parameters: v21(mapOf('parameters', parameterDeclaration)),
    circleci_ip_ranges: ignored(
      bool(),
      'circleci_ip_ranges has no meaning for Airlock; jobs use your network',
    ),
    retention: object('retention', {
      caches: str({ pattern: '^([1-9]|1[0-5])d$', patternHint: 'a number of days from 1d to 15d' }),
    }),
    description: str(),
    branches: deprecated(
      ref('branchFilter'),
      'job-level branches only applies to the implicit build workflow; use workflow filters',
    ),
    plan_name: any(),
    key: any(),
  },
  { rules: [exactlyOneExecutor(true), jobRules] },
);

const executor = union(
  str({ description: 'the name of another executor' }),
  object(
    'executor',
    {
      docker: list(dockerImage, { minItems: 1 }),
      machine,
      macos,
      resource_class: resourceClass,
      shell,
      working_directory: str(),
      environment,
      parameters: mapOf('parameters', parameterDeclaration),
      description: str(),
    },
    { rules: [exactlyOneExecutor(false)] },
  ),
);

const command = object(
  'command',
  {
    description: str(),
    parameters: mapOf('parameters', parameterDeclaration),
    steps: list(ref('step'), { minItems: 1 }),
  },
  { required: ['steps'] },
);

const orbBody = {
  version: union(str(), num()),
  description: str(),
  display: any(),
  orbs: mapOf('orbs', union(str({ description: 'namespace/name@version' }), ref('inlineOrb'))),
  commands: mapOf('commands', ref('command'), { keyPattern: elementNamePattern }),
  executors: mapOf('executors', ref('executor'), { keyPattern: elementNamePattern }),
  jobs: mapOf('jobs', ref('job'), { keyPattern: jobNamePattern }),
  examples: any(),
};

const inlineOrb = object('orb', orbBody);

/** A vendored orb's source file. */
export const orbFileSchema = object('orb', orbBody, { additional: 'tolerate' });

const versionRule: ObjectRule = (map, ctx, path, at) => {
  if (!map.pairs.some((p) => p.key.name === 'version'))
    ctx.sink.error(
      'missing-version',
      'the config has no version; add version: 2.1 at the top',
      at,
      path,
    );
};

export const configSchema = object(
  'config',
  {
    version: union(str(), num()),
    setup: ignored(
      bool(),
      'setup: true (dynamic configuration) is not supported: the setup workflow runs as an ordinary workflow and no continuation happens',
      '2.1',
    ),
    orbs: v21(orbBody.orbs),
    commands: v21(orbBody.commands),
    executors: v21(orbBody.executors),
    jobs: mapOf('jobs', ref('job'), { keyPattern: jobNamePattern }),
    workflows: ref('workflows'),
    parameters: v21(mapOf('pipeline parameters', pipelineParameterDeclaration)),
    'job-groups': unsupported(any(), 'job-groups are not supported by Airlock', '2.1'),
    experimental: any(),
  },
  { additional: 'tolerate', rules: [versionRule] },
);

/** The shape of a processed (2.0) config. */
export const processedConfigSchema = object('processed config', {
  version: union(str(), num()),
  jobs: mapOf('jobs', ref('job')),
  workflows: ref('workflows'),
});

const branchFilter = object('filter', { only: stringOrList, ignore: stringOrList });

/** Every named definition, for references and for the JSON Schema's `definitions`. */
export const definitions: Readonly<Record<string, Schema>> = {
  step: stepSchema,
  logic: logicSchema,
  job,
  executor,
  command,
  inlineOrb,
  workflows: workflowsSchema,
  jobEntry: jobEntrySchema,
  branchFilter,
  filters: object('filters', { branches: branchFilter, tags: branchFilter }),
  parameterDeclaration,
};
