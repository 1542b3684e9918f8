import { compileStep, environmentRecord, shellText } from './compile-steps.js';
import type { DiagnosticSink } from './diagnostic.js';
import type { PlanContainer, PlanExecutor, PlanJob, PlanStep } from './plan.js';
import {
  type Path,
  type YMap,
  type YNode,
  childPath,
  get,
  indexPath,
  isMap,
  scalarText,
  textOf,
} from './yaml-node.js';

export const defaultResourceClass = 'medium';
export const defaultWorkingDirectory = '~/project';

function text(node: YNode | undefined): string | undefined {
  return node?.kind === 'scalar' && node.value !== null ? scalarText(node) : undefined;
}

/** `entrypoint`/`command` as argv: a list as is, a string split on whitespace (quotes kept together). */
function argv(node: YNode | undefined): string[] | undefined {
  if (node === undefined) return undefined;
  if (node.kind === 'seq') return node.items.map((i) => text(i) ?? '');
  const t = text(node);
  if (t === undefined) return undefined;
  return [...t.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function container(node: YNode): PlanContainer | undefined {
  if (!isMap(node)) return undefined;
  const image = text(get(node, 'image'));
  if (image === undefined) return undefined;
  const name = text(get(node, 'name'));
  const entrypoint = argv(get(node, 'entrypoint'));
  const command = argv(get(node, 'command'));
  const user = text(get(node, 'user'));
  const auth = get(node, 'auth');
  const aws = get(node, 'aws_auth');
  const username = isMap(auth) ? text(get(auth, 'username')) : undefined;
  const password = isMap(auth) ? text(get(auth, 'password')) : undefined;
  const awsAuth = isMap(aws)
    ? Object.fromEntries(
        (
          [
            ['accessKeyId', 'aws_access_key_id'],
            ['secretAccessKey', 'aws_secret_access_key'],
            ['oidcRoleArn', 'oidc_role_arn'],
          ] as const
        )
          .map(([k, src]) => [k, text(get(aws, src))] as const)
          .filter(([, v]) => v !== undefined),
      )
    : undefined;
  return {
    image,
    ...(name !== undefined ? { name } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    ...(command ? { command } : {}),
    ...(user !== undefined ? { user } : {}),
    environment: environmentRecord(get(node, 'environment')),
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    ...(awsAuth ? { awsAuth } : {}),
  };
}

function executorOf(job: YMap): { executor: PlanExecutor; settings: YMap | undefined } | undefined {
  const docker = get(job, 'docker');
  if (docker?.kind === 'seq') {
    const images = docker.items.map(container).filter((c): c is PlanContainer => c !== undefined);
    return images.length > 0
      ? { executor: { kind: 'docker', images }, settings: undefined }
      : undefined;
  }
  const machine = get(job, 'machine');
  if (machine !== undefined && !(machine.kind === 'scalar' && machine.value !== true)) {
    const m = isMap(machine) ? machine : undefined;
    const image = m ? text(get(m, 'image')) : undefined;
    const dlc = m ? get(m, 'docker_layer_caching') : undefined;
    return {
      executor: {
        kind: 'machine',
        ...(image !== undefined ? { image } : {}),
        dockerLayerCaching: dlc?.kind === 'scalar' && dlc.value === true,
      },
      settings: m,
    };
  }
  const macos = get(job, 'macos');
  if (isMap(macos)) {
    const xcode = text(get(macos, 'xcode'));
    return xcode === undefined
      ? undefined
      : { executor: { kind: 'macos', xcode }, settings: macos };
  }
  return undefined;
}

/**
 * Compiles one processed job into what a runner executes. Returns undefined when the job has no
 * usable executor (reported by validation).
 */
export function compileJob(job: YMap, sink: DiagnosticSink, path: Path): PlanJob | undefined {
  const ex = executorOf(job);
  if (!ex) return undefined;
  const parallelismNode = get(job, 'parallelism');
  const parallelism =
    parallelismNode?.kind === 'scalar' &&
    typeof parallelismNode.value === 'number' &&
    Number.isInteger(parallelismNode.value) &&
    parallelismNode.value >= 1
      ? parallelismNode.value
      : 1;
  const resourceClass =
    text(get(job, 'resource_class')) ??
    (ex.settings ? text(get(ex.settings, 'resource_class')) : undefined) ??
    defaultResourceClass;
  const shell =
    shellText(get(job, 'shell')) ??
    (ex.settings ? shellText(get(ex.settings, 'shell')) : undefined);
  const retention = get(job, 'retention');
  const caches = isMap(retention) ? textOf(get(retention, 'caches')) : undefined;
  const days =
    caches !== undefined && /^\d+d$/.test(caches) ? Number(caches.slice(0, -1)) : undefined;
  const steps: PlanStep[] = [];
  const stepsNode = get(job, 'steps');
  if (stepsNode?.kind === 'seq') {
    stepsNode.items.forEach((s, i) => {
      const step = compileStep(s);
      if (!step) return;
      if (step.type === 'setup_remote_docker' && ex.executor.kind !== 'docker')
        sink.warning(
          'ignored',
          `setup_remote_docker is for docker executors; a ${ex.executor.kind} job has Docker on the machine itself`,
          s.pos,
          indexPath(childPath(path, 'steps'), i),
        );
      steps.push(step);
    });
  }
  const environment = environmentRecord(get(job, 'environment'));
  return {
    executor: ex.executor,
    resourceClass,
    parallelism,
    workingDirectory: text(get(job, 'working_directory')) ?? defaultWorkingDirectory,
    ...(shell !== undefined ? { shell } : {}),
    environment,
    steps,
    ...(days !== undefined ? { cacheRetentionDays: days } : {}),
  };
}
