import type { ProxyDiagnostic } from '../proxy-diagnostic.js';

/** The tools `renderForJob` knows how to configure. */
export const renderTargets = [
  'env',
  'jvm',
  'gradle',
  'maven',
  'docker',
  'git',
  'npm',
  'apt',
] as const;
export type RenderTarget = (typeof renderTargets)[number];

export function isRenderTarget(value: string): value is RenderTarget {
  return (renderTargets as readonly string[]).includes(value);
}

export interface RenderOptions {
  /**
   * The credential-free proxy URL the job's tools use, normally the runner's local forward
   * proxy (`http://127.0.0.1:3128`). Default: the policy's own proxies, credentials removed.
   */
  readonly jobProxyUrl?: string;
  /** More hosts the job reaches directly (NO_PROXY grammar): service containers, the runner's
   * API host. Internal endpoints of the policy are always added. */
  readonly noProxy?: readonly string[];
  /** Also emit `ALL_PROXY`/`all_proxy` (off by default: it would send non-HTTP traffic of
   * curl and git, and SOCKS-aware tools, through an HTTP proxy). */
  readonly includeAllProxy?: boolean;
  /** docker target: the host containers use to reach the proxy (bridge gateway or
   * `host.docker.internal`), because 127.0.0.1 inside a container is the container itself. */
  readonly containerProxyHost?: string;
}

/** A file a job needs; the caller writes it (renderers never do I/O). */
export interface RenderedFile {
  /** Where it goes; `~` is the job user's home, `$GRADLE_USER_HOME` defaults to `~/.gradle`. */
  readonly path: string;
  readonly content: string;
  /** Merge into an existing file (git config, Maven settings) rather than replace it. */
  readonly merge: boolean;
}

export interface RenderedConfig {
  readonly target: RenderTarget;
  /** Environment variables to set in the job. */
  readonly env: Readonly<Record<string, string>>;
  readonly files: readonly RenderedFile[];
  /** What could not be expressed for this tool, and what was left out. */
  readonly diagnostics: readonly ProxyDiagnostic[];
}
