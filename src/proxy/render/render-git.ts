import { formatIp } from '../ip-address.js';
import type { NoProxyEntry } from '../no-proxy-entry.js';
import type { JobSettings } from './job-settings.js';
import { proxyEnvironment } from './render-env.js';
import type { RenderedConfig } from './rendered-config.js';

const gitVariables = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'no_proxy',
  'NO_PROXY',
];

function hostOf(entry: NoProxyEntry): string | undefined {
  if (entry.kind === 'domain') return entry.domain;
  if (entry.kind === 'ip' && !entry.cidr) {
    const address = formatIp(entry.network);
    return entry.network.family === 6 ? `[${address}]` : address;
  }
  return undefined;
}

/**
 * git reads the proxy variables (through libcurl), so the environment is the main part. What
 * curl's NO_PROXY syntax cannot express (curl ignores port-qualified entries) becomes a per-URL
 * exception in git config: `http."<scheme>://host:port/".proxy = ""`. There is no `https.proxy`
 * key in git.
 */
export function renderGit(settings: JobSettings): RenderedConfig {
  const all = proxyEnvironment(settings);
  const env: Record<string, string> = {};
  for (const name of gitVariables) {
    const value = all[name];
    if (value !== undefined) env[name] = value;
  }
  if (Object.keys(env).length === 0) {
    return { target: 'git', env, files: [], diagnostics: settings.diagnostics };
  }
  const sections: string[] = [];
  for (const entry of settings.entries) {
    if (entry.port === undefined) continue;
    const host = hostOf(entry);
    if (host === undefined) continue;
    for (const scheme of ['http', 'https']) {
      sections.push(`[http "${scheme}://${host}:${entry.port}/"]\n\tproxy = ""`);
    }
  }
  const files =
    sections.length === 0
      ? []
      : [{ path: '~/.gitconfig', content: `${sections.join('\n')}\n`, merge: true }];
  return { target: 'git', env, files, diagnostics: settings.diagnostics };
}
