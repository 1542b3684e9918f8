import type { ProxyDiagnostic } from '../proxy-diagnostic.js';
import type { JobProxy, JobSettings } from './job-settings.js';
import { envNoProxyList } from './no-proxy-lists.js';
import type { RenderOptions, RenderedConfig } from './rendered-config.js';

const loopbackHost = /^(?:localhost|127\.\d+\.\d+\.\d+|::1)$/;

function forContainers(proxy: JobProxy, host: string | undefined): string {
  if (host === undefined) return proxy.url;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${proxy.protocol}://${h}:${proxy.port}`;
}

/**
 * The Docker client's `~/.docker/config.json` `proxies.default`: what `docker run` and
 * `docker build` pass to containers. Inside a container 127.0.0.1 is the container itself, so a
 * loopback proxy needs `containerProxyHost` (the bridge gateway, or `host.docker.internal` with
 * `--add-host`). Daemon-side pulls use `daemon.json` and are not rendered here.
 */
export function renderDocker(settings: JobSettings, options: RenderOptions = {}): RenderedConfig {
  const diagnostics: ProxyDiagnostic[] = [...settings.diagnostics];
  if (!settings.http && !settings.https) {
    return { target: 'docker', env: {}, files: [], diagnostics };
  }
  const host = options.containerProxyHost;
  const loopback = [settings.http, settings.https].find((p) => p && loopbackHost.test(p.host));
  if (loopback && host === undefined) {
    diagnostics.push({
      severity: 'warning',
      code: 'render-loopback-in-container',
      variable: 'config.json',
      message: `the proxy ${loopback.url} is on loopback, which inside a container is the container itself; containers will not reach it.`,
      suggestion:
        'render with --container-proxy-host set to the bridge gateway (e.g. 172.17.0.1) or host.docker.internal, and bind the proxy there',
      tools: ['Docker'],
    });
  }
  const proxies: Record<string, string> = {};
  if (settings.http) proxies.httpProxy = forContainers(settings.http, host);
  if (settings.https) proxies.httpsProxy = forContainers(settings.https, host);
  proxies.noProxy = envNoProxyList(settings.entries);
  const content = `${JSON.stringify({ proxies: { default: proxies } }, null, 2)}\n`;
  return {
    target: 'docker',
    env: {},
    files: [{ path: '~/.docker/config.json', content, merge: true }],
    diagnostics,
  };
}
