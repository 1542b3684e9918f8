import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { CompilePipelineInput, PipelineValues } from '../pipeline/compile-pipeline.js';
import { AppError } from '../shared/app-error.js';
import type { CliContext } from './output.js';

/** The default config path, relative to the working directory. */
export const defaultConfigPath = '.circleci/config.yml';

export interface PipelineFileOptions {
  readonly orbsDir?: string;
  readonly param?: readonly string[];
}

export interface PipelineFiles {
  /** The config's path as shown in diagnostics (relative to the working directory when inside it). */
  readonly file: string;
  readonly text: string;
  /** Vendored orb sources by path: `.circleci/orbs/**` beside the config, then `--orbs-dir`. */
  readonly orbFiles: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
}

function display(ctx: CliContext, path: string): string {
  const rel = relative(ctx.cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const full = join(dir, name);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      continue;
    }
    if (isDir) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

/** `--param k=v` values; a malformed one is bad input (exit 2). */
export function parseParams(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0)
      throw new AppError('INVALID_ARGUMENT', `--param ${JSON.stringify(v)} is not key=value`, {
        hint: 'pass pipeline parameters as --param name=value (repeat the flag for several)',
      });
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/**
 * Reads what the pure pipeline module needs: the config text and every vendored orb source —
 * `.circleci/orbs/<namespace>/<name>@<version>.yml` beside the config, and the operator's
 * `--orbs-dir` (a copy in the repository wins over the operator's folder).
 */
export function readPipelineFiles(
  ctx: CliContext,
  fileArg: string | undefined,
  options: PipelineFileOptions,
): PipelineFiles {
  const path = resolve(ctx.cwd, fileArg ?? defaultConfigPath);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AppError(
      'INVALID_ARGUMENT',
      missing
        ? `config file ${display(ctx, path)} does not exist`
        : `cannot read config file ${display(ctx, path)}: ${(e as Error).message}`,
      {
        cause: e,
        hint:
          fileArg === undefined
            ? `run in the repository root, or pass the config path (default ${defaultConfigPath})`
            : 'check the path',
      },
    );
  }
  const orbFiles: Record<string, string> = {};
  const sources: string[] = [];
  if (options.orbsDir !== undefined) {
    const dir = resolve(ctx.cwd, options.orbsDir);
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok)
      throw new AppError('INVALID_ARGUMENT', `--orbs-dir ${options.orbsDir} is not a folder`, {
        hint: 'point --orbs-dir at a folder of <namespace>/<name>@<version>.yml orb sources',
      });
    sources.push(...yamlFilesUnder(dir));
  }
  sources.push(...yamlFilesUnder(join(dirname(path), 'orbs')));
  for (const orb of sources) orbFiles[display(ctx, orb)] = readFileSync(orb, 'utf8');
  return { file: display(ctx, path), text, orbFiles, params: parseParams(options.param) };
}

/** Local pipeline values for the CLI: the given branch/tag/revision, a fresh id, number 1. */
export function localPipelineValues(ref: {
  branch?: string;
  tag?: string;
  revision?: string;
}): PipelineValues {
  return {
    id: randomUUID(),
    number: 1,
    git: {
      branch: ref.tag !== undefined ? '' : (ref.branch ?? 'main'),
      tag: ref.tag ?? '',
      revision: ref.revision ?? '0000000000000000000000000000000000000000',
    },
    project: { gitUrl: '', type: 'local' },
    triggerSource: 'webhook',
  };
}

/** The compile input for the CLI commands. */
export function cliCompileInput(
  files: PipelineFiles,
  ref: { branch?: string; tag?: string; revision?: string },
): CompilePipelineInput {
  // Orb files come later from the repository than from --orbs-dir, so they win on the same ref.
  return {
    file: files.file,
    text: files.text,
    orbFiles: files.orbFiles,
    params: files.params,
    pipelineValues: localPipelineValues(ref),
    ...(ref.tag !== undefined ? { tag: ref.tag } : { branch: ref.branch ?? 'main' }),
    ...(ref.revision !== undefined ? { revision: ref.revision } : {}),
  };
}

/** Collects a repeatable flag's values (commander option argument parser). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
