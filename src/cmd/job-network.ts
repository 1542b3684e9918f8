import { readFileSync } from 'node:fs';
import type { JobAssignment } from '../protocol/runner-api.js';
import {
  type ProxyDiagnostic,
  type ProxyEndpoint,
  type ProxyPolicy,
  type RenderOptions,
  hasCredentials,
  parseProxySettings,
  policyEndpoints,
  renderForJob,
  renderTargets,
} from '../proxy/index.js';
import { type EgressLog, JobEgress } from '../runner/egress/job-egress.js';
import type { Workspace } from '../runner/executors/executor.js';
import type { JobNetwork } from '../runner/job-runner.js';
import { AppError } from '../shared/app-error.js';
import type { JobEgressMode } from './job-egress-settings.js';

/** The network of one runner's jobs; `close()` on shutdown ends the jobs' local proxies. */
export interface RunnerNetwork {
  readonly forJob: (assignment: JobAssignment, workspace: Workspace) => Promise<JobNetwork>;
  close(): Promise<void>;
}

export interface NetworkSetup {
  /** Environment for the server's own git commands. */
  readonly gitEnv: Readonly<Record<string, string>>;
  readonly diagnostics: readonly ProxyDiagnostic[];
  /** The one proxy policy of this process. */
  readonly policy: ProxyPolicy;
  /** The operator's CA bundle (PEM text), if AIRLOCK_CA_BUNDLE names one. */
  readonly caBundle: string | undefined;
  /** Whether jobs go through the runner's local forward proxy (job-egress, resolved). */
  readonly localEgress: boolean;
  /** What to say once at start about how jobs reach the network. */
  readonly egressNotes: readonly { readonly level: 'info' | 'warn'; readonly message: string }[];
  /** The job network of a runner: its log gets one line per tunnel or request of a job. */
  readonly forRunner: (runner: { log: EgressLog; capacity: number }) => RunnerNetwork;
}

export interface JobNetworkOptions {
  /** Endpoints that always go direct (the server's URL); 169.254.169.254 is always added. */
  readonly internal?: readonly string[];
  /** job-egress and job-egress-port (default: auto, ephemeral ports). */
  readonly egress?: { readonly mode: JobEgressMode; readonly firstPort: number };
}

const caVariables = [
  'SSL_CERT_FILE',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'GIT_SSL_CAINFO',
  'CURL_CA_BUNDLE',
];

/**
 * Whether jobs use the local forward proxy: `local` always, `auto` when a proxy of the policy
 * carries credentials, `pass-through` never (with a warning when jobs then cannot authenticate).
 */
export function resolveJobEgress(
  policy: ProxyPolicy,
  mode: JobEgressMode,
): Pick<NetworkSetup, 'localEgress' | 'egressNotes'> {
  const endpoints = policy.off ? [] : policyEndpoints(policy);
  const withCredentials = endpoints.filter(hasCredentials);
  const named = [policy.http, policy.https, policy.all].filter(
    (e): e is ProxyEndpoint => e !== undefined && hasCredentials(e),
  );
  const sourceList = [...new Set(named.map((e) => e.source))];
  const sources = sourceList.join(' and ');
  const carry = sourceList.length > 1 ? 'carry' : 'carries';
  const notes: { level: 'info' | 'warn'; message: string }[] = [];
  if (mode === 'pass-through' || (mode === 'auto' && withCredentials.length === 0)) {
    if (withCredentials.length > 0) {
      notes.push({
        level: 'warn',
        message: `job-egress is pass-through and ${sources} ${carry} credentials: jobs get the proxy URL without them and will not be able to authenticate (407); set job-egress to auto or local to give jobs a local proxy that holds them`,
      });
    }
    return { localEgress: false, egressNotes: notes };
  }
  notes.push({
    level: 'info',
    message:
      withCredentials.length > 0
        ? `jobs reach the network through a local proxy on 127.0.0.1 that holds the credentials of ${sources} (job-egress ${mode}); every host a job reaches is logged`
        : 'jobs reach the network through a local proxy on 127.0.0.1 (job-egress local); every host a job reaches is logged',
  });
  for (const endpoint of endpoints) {
    if (endpoint.protocol === 'socks5' || endpoint.protocol === 'socks5h') {
      notes.push({
        level: 'warn',
        message: `${endpoint.source} is a SOCKS proxy (${endpoint.url}), which the local proxy for jobs cannot chain to: jobs' requests routed to it fail with 502; use job-egress pass-through`,
      });
    }
  }
  return { localEgress: true, egressNotes: notes };
}

/**
 * Builds the network part of every job from the process's proxy variables (read once, here,
 * in the composition root) and `AIRLOCK_CA_BUNDLE`: proxy variables in both cases, tool configs
 * written into the job's private home, the CA bundle variables, and the server and cloud
 * metadata address always in no_proxy. With the local egress proxy (job-egress), every job gets
 * its own credential-free `http://127.0.0.1:PORT` for http and https.
 */
export function jobNetworkFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: JobNetworkOptions = {},
): NetworkSetup {
  const { policy, diagnostics } = parseProxySettings({
    env,
    internal: ['169.254.169.254', ...(options.internal ?? [])],
  });
  const caBundlePath = env.AIRLOCK_CA_BUNDLE;
  const caBundle = caBundlePath ? readCaBundle(caBundlePath) : undefined;
  const caEnv: Record<string, string> = {};
  if (caBundlePath) for (const name of caVariables) caEnv[name] = caBundlePath;
  const gitRendered = renderForJob(policy, 'env');
  const gitEnv: Record<string, string> = { ...gitRendered.env, ...caEnv };
  const egress = options.egress ?? { mode: 'auto', firstPort: 0 };
  const resolved = resolveJobEgress(policy, egress.mode);

  const render = (assignment: JobAssignment, jobProxyUrl?: string): JobNetwork => {
    const serverHost = safeHost(assignment.jobUrl);
    const renderOptions: RenderOptions = {
      ...(serverHost ? { noProxy: [serverHost] } : {}),
      ...(jobProxyUrl ? { jobProxyUrl } : {}),
    };
    const envOut: Record<string, string> = { ...caEnv };
    const files: { path: string; content: string }[] = [];
    for (const target of renderTargets) {
      const rendered = renderForJob(policy, target, renderOptions);
      Object.assign(envOut, rendered.env);
      for (const file of rendered.files) {
        const path = homeRelative(file.path);
        if (path) files.push({ path, content: file.content });
      }
    }
    return { env: envOut, files };
  };

  const forRunner = (runner: { log: EgressLog; capacity: number }): RunnerNetwork => {
    if (!resolved.localEgress) {
      return { forJob: async (assignment) => render(assignment), close: async () => {} };
    }
    const slots = Math.max(1, runner.capacity);
    if (egress.firstPort > 0 && egress.firstPort + slots - 1 > 65535) {
      throw new AppError(
        'INVALID_CONFIG',
        `job-egress-port ${egress.firstPort} leaves no room for ${slots} jobs at once: their local proxies use ports ${egress.firstPort}-${egress.firstPort + slots - 1}`,
        { hint: `choose a port up to ${65536 - slots}, or 0 for ephemeral ports` },
      );
    }
    const jobEgress = new JobEgress({
      policy,
      firstPort: egress.firstPort,
      slots,
      caBundle,
      log: runner.log,
    });
    return {
      forJob: async (assignment) => {
        const lease = await jobEgress.open(assignment.jobId);
        return { ...render(assignment, lease.url), release: () => lease.close() };
      },
      close: () => jobEgress.close(),
    };
  };

  return { forRunner, gitEnv, diagnostics, policy, caBundle, ...resolved };
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
