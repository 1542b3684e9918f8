import type { JobSettings } from './job-settings.js';
import { npmNoProxyList } from './no-proxy-lists.js';
import type { RenderedConfig } from './rendered-config.js';

/**
 * `~/.npmrc` for npm and pnpm (which also honour the environment): `proxy`, `https-proxy` and
 * `noproxy`. npm matches labels, so `d` alone covers its subdomains.
 */
export function renderNpm(settings: JobSettings): RenderedConfig {
  if (!settings.http && !settings.https) {
    return { target: 'npm', env: {}, files: [], diagnostics: settings.diagnostics };
  }
  const noProxy = npmNoProxyList(settings.entries, '.npmrc');
  const lines: string[] = [];
  if (settings.http) lines.push(`proxy=${settings.http.url}`);
  if (settings.https) lines.push(`https-proxy=${settings.https.url}`);
  lines.push(`noproxy=${noProxy.value}`);
  return {
    target: 'npm',
    env: {},
    files: [{ path: '~/.npmrc', content: `${lines.join('\n')}\n`, merge: true }],
    diagnostics: [...settings.diagnostics, ...noProxy.diagnostics],
  };
}
