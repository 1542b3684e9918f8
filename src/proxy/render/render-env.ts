import type { JobSettings } from './job-settings.js';
import { envNoProxyList } from './no-proxy-lists.js';
import type { RenderOptions, RenderedConfig } from './rendered-config.js';

/**
 * The proxy variables for a job, in both cases with identical values and no spaces:
 * `http_proxy`/`HTTP_PROXY`, `https_proxy`/`HTTPS_PROXY`, `no_proxy`/`NO_PROXY` (every domain
 * as `d` and `.d`), and `NODE_USE_ENV_PROXY=1` so Node ≥ 24 honours them. `ALL_PROXY` only when
 * asked for.
 */
export function proxyEnvironment(settings: JobSettings): Record<string, string> {
  const env: Record<string, string> = {};
  if (!settings.http && !settings.https && !settings.all) return env;
  if (settings.http) {
    env.http_proxy = settings.http.url;
    env.HTTP_PROXY = settings.http.url;
  }
  if (settings.https) {
    env.https_proxy = settings.https.url;
    env.HTTPS_PROXY = settings.https.url;
  }
  if (settings.all) {
    env.all_proxy = settings.all.url;
    env.ALL_PROXY = settings.all.url;
  }
  const noProxy = envNoProxyList(settings.entries);
  env.no_proxy = noProxy;
  env.NO_PROXY = noProxy;
  env.NODE_USE_ENV_PROXY = '1';
  return env;
}

export function renderEnv(settings: JobSettings, _options: RenderOptions = {}): RenderedConfig {
  return {
    target: 'env',
    env: proxyEnvironment(settings),
    files: [],
    diagnostics: settings.diagnostics,
  };
}
