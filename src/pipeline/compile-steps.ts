import { environmentPairs } from './environment.js';
import type { PlanStep, StepWhen } from './plan.js';
import { type YNode, get, isMap, scalarText, textOf } from './yaml-node.js';

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
  const field = (k: string): YNode | undefined => (v ? get(v, k) : undefined);
  switch (type) {
    case 'run':
    case 'deploy': {
      const command = v ? text(field('command')) : value ? text(value) : undefined;
      if (command === undefined) return undefined;
      const shell = shellText(field('shell'));
      const workingDirectory = text(field('working_directory'));
      const timeout = text(field('no_output_timeout'));
      return {
        type: 'run',
        name: text(field('name')) ?? command,
        command,
        ...(shell !== undefined ? { shell } : {}),
        ...(workingDirectory !== undefined ? { workingDirectory } : {}),
        environment: environmentRecord(field('environment')),
        noOutputTimeoutMs:
          (timeout === undefined ? undefined : durationMs(timeout)) ?? defaultNoOutputTimeoutMs,
        when: when(field('when'), 'on_success'),
        background:
          field('background')?.kind === 'scalar' &&
          (field('background') as { value: unknown }).value === true,
      };
    }
    case 'checkout': {
      const path = text(field('path'));
      const method = textOf(field('method'));
      const depth = field('depth');
      return named(
        {
          type: 'checkout' as const,
          when: when(field('when'), 'on_success'),
          ...(path !== undefined ? { path } : {}),
          method: (method === 'blobless' || method === 'shallow' ? method : 'full') as
            | 'full'
            | 'blobless'
            | 'shallow',
          ...(depth?.kind === 'scalar' && typeof depth.value === 'number'
            ? { depth: depth.value }
            : {}),
        },
        field('name'),
        'Checkout code',
      );
    }
    case 'save_cache': {
      const key = text(field('key'));
      if (key === undefined) return undefined;
      return named(
        {
          type: 'save_cache' as const,
          key,
          paths: list(field('paths')),
          when: when(field('when'), 'on_success'),
        },
        field('name'),
        'Saving cache',
      );
    }
    case 'restore_cache': {
      const keys = [...list(field('key')), ...list(field('keys'))].filter(
        (k, i, all) => all.indexOf(k) === i,
      );
      if (keys.length === 0) return undefined;
      return named(
        { type: 'restore_cache' as const, keys, when: when(field('when'), 'on_success') },
        field('name'),
        'Restoring cache',
      );
    }
    case 'persist_to_workspace': {
      const root = text(field('root'));
      if (root === undefined) return undefined;
      return named(
        {
          type: 'persist_to_workspace' as const,
          root,
          paths: list(field('paths')),
          when: when(field('when'), 'on_success'),
        },
        field('name'),
        'Persisting to workspace',
      );
    }
    case 'attach_workspace': {
      const at = text(field('at'));
      if (at === undefined) return undefined;
      return named(
        { type: 'attach_workspace' as const, at, when: when(field('when'), 'on_success') },
        field('name'),
        'Attaching workspace',
      );
    }
    case 'store_artifacts': {
      const path = text(field('path'));
      if (path === undefined) return undefined;
      const destination = text(field('destination'));
      return named(
        {
          type: 'store_artifacts' as const,
          path,
          ...(destination !== undefined ? { destination } : {}),
          when: when(field('when'), 'always'),
        },
        field('name'),
        'Uploading artifacts',
      );
    }
    case 'store_test_results': {
      const path = text(field('path'));
      if (path === undefined) return undefined;
      return named(
        { type: 'store_test_results' as const, path, when: when(field('when'), 'always') },
        field('name'),
        'Uploading test results',
      );
    }
    case 'add_ssh_keys':
      return named(
        {
          type: 'add_ssh_keys' as const,
          fingerprints: list(field('fingerprints')),
          when: when(field('when'), 'on_success'),
        },
        field('name'),
        'Adding SSH keys',
      );
    case 'setup_remote_docker': {
      const version = text(field('version'));
      const dlc = field('docker_layer_caching');
      return named(
        {
          type: 'setup_remote_docker' as const,
          ...(version !== undefined ? { version } : {}),
          dockerLayerCaching: dlc?.kind === 'scalar' && dlc.value === true,
          when: when(field('when'), 'on_success'),
        },
        field('name'),
        'Setting up a remote Docker engine',
      );
    }
    default:
      return undefined;
  }
}
