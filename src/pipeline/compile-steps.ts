import { environmentPairs } from './environment.js';
import type { PlanStep, StepWhen } from './plan.js';
import { type YNode, isMap, scalarText, textOf } from './yaml-node.js';

/** Default `no_output_timeout`: 10 minutes. */
export const defaultNoOutputTimeoutMs = 600_000;

const unitMs: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1_000 };

/** `10m`, `1.5h`, `90s` in milliseconds; undefined when malformed. */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([hms])$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return Math.round(Number(m[1]) * (unitMs[m[2]] ?? 0));
}

/** An environment value as a string: numbers as written, booleans as true/false, null as "". */
export function envValue(node: YNode): string {
  return node.kind === 'scalar' ? scalarText(node) : '';
}

export function environmentRecord(node: YNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of environmentPairs(node)) out[p.key.name] = envValue(p.value);
  return out;
}

/** A `shell` value: a command line, or a list of its words. */
export function shellText(node: YNode | undefined): string | undefined {
  if (node?.kind === 'seq')
    return node.items.map((i) => (i.kind === 'scalar' ? scalarText(i) : '')).join(' ');
  return text(node);
}

function text(node: YNode | undefined): string | undefined {
  return node?.kind === 'scalar' && node.value !== null ? scalarText(node) : undefined;
}

function list(node: YNode | undefined): string[] {
  if (node === undefined) return [];
  const items = node.kind === 'seq' ? node.items : [node];
  return items.map(text).filter((t): t is string => t !== undefined);
}

function when(node: YNode | undefined, fallback: StepWhen): StepWhen {
  const t = textOf(node);
  return t === 'always' || t === 'on_fail' || t === 'on_success' ? t : fallback;
}

function named<T extends object>(
  base: T,
  node: YNode | undefined,
  fallback: string,
): T & { name: string } {
  return { ...base, name: text(node) ?? fallback };
}

/**
 * A built-in step of a processed job as the runner gets it, every default filled in. Returns
 * undefined for steps that are malformed (reported by validation).
 */
export function compileStep(step: YNode): PlanStep | undefined {
  let type: string;
  let value: YNode | undefined;
  if (step.kind === 'scalar' && typeof step.value === 'string') type = step.value;
  else if (isMap(step) && step.pairs.length === 1 && step.pairs[0]) {
    type = step.pairs[0].key.name;
    value = step.pairs[0].value;
  } else return undefined;
  const v = isMap(value) ? value : undefined;
  const fields: Record<string, YNode> = Object.create(null);
  if (v) for (const p of v.pairs) fields[p.key.name] = p.value;
  switch (type) {
    case 'run':
    case 'deploy': {
      const command = v ? text(fields.command) : value ? text(value) : undefined;
      if (command === undefined) return undefined;
      const shell = shellText(fields.shell);
      const workingDirectory = text(fields.working_directory);
      const timeout = text(fields.no_output_timeout);
      return {
        type: 'run',
        name: text(fields.name) ?? command,
        command,
        ...(shell !== undefined ? { shell } : {}),
        ...(workingDirectory !== undefined ? { workingDirectory } : {}),
        environment: environmentRecord(fields.environment),
        noOutputTimeoutMs:
          (timeout === undefined ? undefined : durationMs(timeout)) ?? defaultNoOutputTimeoutMs,
        when: when(fields.when, 'on_success'),
        background:
          fields.background?.kind === 'scalar' &&
          (fields.background as { value: unknown }).value === true,
      };
    }
    case 'checkout': {
      const path = text(fields.path);
      const method = textOf(fields.method);
      const depth = fields.depth;
      return named(
        {
          type: 'checkout' as const,
          when: when(fields.when, 'on_success'),
          ...(path !== undefined ? { path } : {}),
          ...(method === 'blobless' || method === 'shallow' || method === 'full'
            ? { method: method as 'full' | 'blobless' | 'shallow' }
            : {}),
          ...(depth?.kind === 'scalar' && typeof depth.value === 'number'
            ? { depth: depth.value }
            : {}),
        },
        fields.name,
        'Checkout code',
      );
    }
    case 'save_cache': {
      const key = text(fields.key);
      if (key === undefined) return undefined;
      return named(
        {
          type: 'save_cache' as const,
          key,
          paths: list(fields.paths),
          when: when(fields.when, 'on_success'),
        },
        fields.name,
        'Saving cache',
      );
    }
    case 'restore_cache': {
      const keys = [...list(fields.key), ...list(fields.keys)].filter(
        (k, i, all) => all.indexOf(k) === i,
      );
      if (keys.length === 0) return undefined;
      return named(
        { type: 'restore_cache' as const, keys, when: when(fields.when, 'on_success') },
        fields.name,
        'Restoring cache',
      );
    }
    case 'persist_to_workspace': {
      const root = text(fields.root);
      if (root === undefined) return undefined;
      return named(
        {
          type: 'persist_to_workspace' as const,
          root,
          paths: list(fields.paths),
          when: when(fields.when, 'on_success'),
        },
        fields.name,
        'Persisting to workspace',
      );
    }
    case 'attach_workspace': {
      const at = text(fields.at);
      if (at === undefined) return undefined;
      return named(
        { type: 'attach_workspace' as const, at, when: when(fields.when, 'on_success') },
        fields.name,
        'Attaching workspace',
      );
    }
    case 'store_artifacts': {
      const path = text(fields.path);
      if (path === undefined) return undefined;
      const destination = text(fields.destination);
      return named(
        {
          type: 'store_artifacts' as const,
          path,
          ...(destination !== undefined ? { destination } : {}),
          when: when(fields.when, 'always'),
        },
        fields.name,
        'Uploading artifacts',
      );
    }
    case 'store_test_results': {
      const path = text(fields.path);
      if (path === undefined) return undefined;
      return named(
        { type: 'store_test_results' as const, path, when: when(fields.when, 'always') },
        fields.name,
        'Uploading test results',
      );
    }
    case 'add_ssh_keys':
      return named(
        {
          type: 'add_ssh_keys' as const,
          fingerprints: list(fields.fingerprints),
          when: when(fields.when, 'on_success'),
        },
        fields.name,
        'Adding SSH keys',
      );
    case 'setup_remote_docker': {
      const version = text(fields.version);
      const dlc = fields.docker_layer_caching;
      return named(
        {
          type: 'setup_remote_docker' as const,
          ...(version !== undefined ? { version } : {}),
          dockerLayerCaching: dlc?.kind === 'scalar' && dlc.value === true,
          when: when(fields.when, 'on_success'),
        },
        fields.name,
        'Setting up a remote Docker engine',
      );
    }
    default:
      return undefined;
  }
}
