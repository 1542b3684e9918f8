import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/app-error.js';
import { redactUrl } from '../../shared/redact-url.js';

export type GitRun = (
  args: readonly string[],
  options?: { cwd?: string; signal?: AbortSignal },
) => Promise<string>;

/**
 * Runs git with an environment built by the caller (proxy settings rendered from the one proxy
 * policy, CA bundle); git reads no proxy variable of the server's own environment.
 */
export function gitRunner(env: Readonly<Record<string, string>>): GitRun {
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      execFile(
        'git',
        [...args],
        {
          cwd: options.cwd,
          env: { ...env, GIT_TERMINAL_PROMPT: '0' },
          maxBuffer: 64 * 1024 * 1024,
          signal: options.signal,
        },
        (error, stdout, stderr) => {
          if (error) {
            const printable = args.map((a) => (a.includes('://') ? redactUrl(a) : a)).join(' ');
            reject(
              new AppError(
                'UNAVAILABLE',
                `git ${printable} failed: ${redactStderr(stderr).trim() || error.message}`,
                {
                  cause: error,
                },
              ),
            );
          } else resolve(stdout);
        },
      );
    });
}

function redactStderr(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (url) => redactUrl(url));
}

export interface SourceRef {
  readonly branch?: string | undefined;
  readonly tag?: string | undefined;
  readonly revision?: string | undefined;
  /** Use the folder as it is (local projects): no revision, uncommitted changes included. */
  readonly workingTree?: boolean;
}

export interface ResolvedSource {
  /** Where git commands run: the local path, or the server's mirror of the remote. */
  readonly repoDir: string;
  readonly revision: string | undefined;
  readonly branch: string | undefined;
  readonly tag: string | undefined;
  /** True when the folder is not a git repository: files are read from the working tree. */
  readonly workingTree: boolean;
}

/** Resolves a branch, tag or revision of a project to a commit, fetching a remote into a mirror. */
export async function resolveSource(
  git: GitRun,
  project: { id: string; gitUrl: string | null; localPath: string | null; defaultBranch: string },
  ref: SourceRef,
  mirrorsDir: string,
): Promise<ResolvedSource> {
  let repoDir: string;
  if (project.localPath) {
    repoDir = project.localPath;
    if (!existsSync(repoDir))
      throw new AppError('NOT_FOUND', `the project folder ${repoDir} does not exist`);
    if (ref.workingTree || !existsSync(join(repoDir, '.git'))) {
      if (ref.revision || ref.tag) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `${repoDir} is not a git repository: it has no revisions or tags`,
        );
      }
      return {
        repoDir,
        revision: undefined,
        branch: ref.branch ?? project.defaultBranch,
        tag: undefined,
        workingTree: true,
      };
    }
  } else if (project.gitUrl) {
    repoDir = join(mirrorsDir, `${project.id}.git`);
    if (!existsSync(repoDir)) {
      await mkdir(mirrorsDir, { recursive: true });
      await git(['clone', '--mirror', '--quiet', project.gitUrl, repoDir]);
    } else {
      await git(
        [
          'fetch',
          '--prune',
          '--quiet',
          'origin',
          '+refs/heads/*:refs/heads/*',
          '+refs/tags/*:refs/tags/*',
        ],
        { cwd: repoDir },
      );
    }
  } else {
    throw new AppError(
      'INVALID_CONFIG',
      `project ${project.id} has neither a git URL nor a local path`,
    );
  }
  const branch = ref.tag
    ? undefined
    : (ref.branch ?? (ref.revision ? undefined : project.defaultBranch));
  const target = ref.revision ?? (ref.tag ? `refs/tags/${ref.tag}` : `refs/heads/${branch}`);
  let revision: string;
  try {
    revision = (
      await git(['rev-parse', '--verify', '--quiet', `${target}^{commit}`], { cwd: repoDir })
    ).trim();
  } catch {
    const what = ref.revision
      ? `revision ${ref.revision}`
      : ref.tag
        ? `tag ${ref.tag}`
        : `branch ${branch}`;
    throw new AppError('NOT_FOUND', `the repository has no ${what}`);
  }
  return { repoDir, revision, branch, tag: ref.tag, workingTree: false };
}

/** Reads a file at the resolved revision; undefined when it does not exist there. */
export async function readFileAt(
  git: GitRun,
  source: ResolvedSource,
  path: string,
): Promise<string | undefined> {
  if (source.workingTree || source.revision === undefined) {
    try {
      return await readFile(join(source.repoDir, path), 'utf8');
    } catch {
      return undefined;
    }
  }
  try {
    return await git(['show', `${source.revision}:${path}`], { cwd: source.repoDir });
  } catch {
    return undefined;
  }
}

/** Every file under a folder at the revision (for vendored orbs), as path -> text. */
export async function readTreeAt(
  git: GitRun,
  source: ResolvedSource,
  dir: string,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (source.workingTree || source.revision === undefined) return files;
  let listing: string;
  try {
    listing = await git(['ls-tree', '-r', '--name-only', source.revision, '--', dir], {
      cwd: source.repoDir,
    });
  } catch {
    return files;
  }
  for (const path of listing.split('\n').filter(Boolean)) {
    const text = await readFileAt(git, source, path);
    if (text !== undefined) files.set(path, text);
  }
  return files;
}
