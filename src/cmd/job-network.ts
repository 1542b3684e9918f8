import { readFileSync } from 'node:fs';
import type { JobAssignment } from '../protocol/runner-api.js';
import {
  type ProxyDiagnostic,
  type ProxyPolicy,
  parseProxySettings,
  renderForJob,
  renderTargets,
} from '../proxy/index.js';
import type { Workspace } from '../runner/executors/executor.js';
import type { JobNetwork } from '../runner/job-runner.js';
import { AppError } from '../shared/app-error.js';

export interface NetworkSetup {
  /** Proxy env and tool configs for a job, rendered from the one proxy policy. */
  readonly forJob: (assignment: JobAssignment, workspace: Workspace) => JobNetwork;
  /** Environment for the server's own git commands. */
  readonly gitEnv: Readonly<Record<string, string>>;
  readonly diagnostics: readonly ProxyDiagnostic[];
  /** The one proxy policy of this process. */
  readonly policy: ProxyPolicy;
  /** The operator's CA bundle (PEM text), if AIRLOCK_CA_BUNDLE names one. */
  readonly caBundle: string | undefined;
}

const caVariables = [
  'SSL_CERT_FILE',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'GIT_SSL_CAINFO',
  'CURL_CA_BUNDLE',
];

/**
 * Builds the network part of every job from the process's proxy variables (read once, here,
 * in the composition root) and `AIRLOCK_CA_BUNDLE`: proxy variables in both cases, tool configs
 * written into the job's private home, the CA bundle variables, and the server and cloud
 * metadata address always in no_proxy.
 */
export function jobNetworkFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  internal: readonly string[] = [],
): NetworkSetup {
  const { policy, diagnostics } = parseProxySettings({
    env,
    internal: ['169.254.169.254', ...internal],
  });
  const caBundle = env.AIRLOCK_CA_BUNDLE;
  const caEnv: Record<string, string> = {};
  if (caBundle) for (const name of caVariables) caEnv[name] = caBundle;
  const gitRendered = renderForJob(policy, 'env');
  const gitEnv: Record<string, string> = { ...gitRendered.env, ...caEnv };
  const forJob = (assignment: JobAssignment, _workspace: Workspace): JobNetwork => {
    const serverHost = safeHost(assignment.jobUrl);
    const options = serverHost ? { noProxy: [serverHost] } : {};
    const envOut: Record<string, string> = { ...caEnv };
    const files: { path: string; content: string }[] = [];
    for (const target of renderTargets) {
      const rendered = renderForJob(policy, target, options);
      Object.assign(envOut, rendered.env);
      for (const file of rendered.files) {
        const path = homeRelative(file.path);
        if (path) files.push({ path, content: file.content });
      }
    }
    return { env: envOut, files };
  };
  return {
    forJob,
    gitEnv,
    diagnostics,
    policy,
    caBundle: caBundle ? readCaBundle(caBundle) : undefined,
  };
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/** Tool configs go into the job's private home; system paths (apt) are not written by the runner. */
function homeRelative(path: string): string | undefined {
  if (path.startsWith('~/')) return path.slice(2);
  if (path.startsWith('$GRADLE_USER_HOME/'))
    return `.gradle/${path.slice('$GRADLE_USER_HOME/'.length)}`;
  return undefined;
}

function readCaBundle(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError('INVALID_CONFIG', `AIRLOCK_CA_BUNDLE names ${path}, which cannot be read`, {
      cause,
    });
  }
}
