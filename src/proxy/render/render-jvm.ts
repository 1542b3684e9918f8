import type { ProxyDiagnostic } from '../proxy-diagnostic.js';
import type { JobProxy, JobSettings } from './job-settings.js';
import { jvmNonProxyHosts } from './no-proxy-lists.js';
import type { RenderedConfig } from './rendered-config.js';

/** One JVM system property. Values never contain spaces (entries cannot). */
export interface JvmProperty {
  readonly name: string;
  readonly value: string;
}

function hostOf(proxy: JobProxy): string {
  return proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
}

/**
 * The JVM system properties for the job's proxies: `http(s).proxyHost/Port` for HTTP proxies,
 * `socksProxyHost/Port` for SOCKS, and `http.nonProxyHosts` (which also covers https). The JVM
 * speaks plain HTTP to a proxy, so an `https://` proxy gets a warning.
 */
export function jvmProperties(
  settings: JobSettings,
  variable: string,
): { properties: JvmProperty[]; diagnostics: ProxyDiagnostic[] } {
  const properties: JvmProperty[] = [];
  const diagnostics: ProxyDiagnostic[] = [];
  if (!settings.http && !settings.https) return { properties, diagnostics };
  const socks = [settings.http, settings.https].find(
    (p) => p?.protocol === 'socks5' || p?.protocol === 'socks5h',
  );
  for (const [scheme, proxy] of [
    ['http', settings.http],
    ['https', settings.https],
  ] as const) {
    if (!proxy || proxy.protocol === 'socks5' || proxy.protocol === 'socks5h') continue;
    properties.push(
      { name: `${scheme}.proxyHost`, value: hostOf(proxy) },
      { name: `${scheme}.proxyPort`, value: String(proxy.port) },
    );
  }
  if (socks) {
    properties.push(
      { name: 'socksProxyHost', value: hostOf(socks) },
      { name: 'socksProxyPort', value: String(socks.port) },
    );
  }
  const https = [settings.http, settings.https].find((p) => p?.protocol === 'https');
  if (https) {
    diagnostics.push({
      severity: 'warning',
      code: 'render-https-proxy-for-jvm',
      variable,
      message: `the JVM only talks plain HTTP to a proxy, but ${https.url} is an https:// proxy; the JVM will send it plain HTTP on port ${https.port}.`,
      suggestion: 'give jobs an http:// proxy (the local forward proxy)',
      tools: ['Java'],
    });
  }
  const nonProxy = jvmNonProxyHosts(settings.entries, variable);
  diagnostics.push(...nonProxy.diagnostics);
  properties.push({ name: 'http.nonProxyHosts', value: nonProxy.value });
  return { properties, diagnostics };
}

/** `-Dname=value` options joined by spaces, as `JAVA_TOOL_OPTIONS` and `JVM_OPTS` take them. */
export function jvmOptions(properties: readonly JvmProperty[]): string {
  return properties.map((p) => `-D${p.name}=${p.value}`).join(' ');
}

/**
 * `JAVA_TOOL_OPTIONS` (read by every JVM launcher, which prints a notice on stderr) and
 * `JVM_OPTS`, with identical values.
 */
export function renderJvm(settings: JobSettings): RenderedConfig {
  const { properties, diagnostics } = jvmProperties(settings, 'JAVA_TOOL_OPTIONS');
  const env: Record<string, string> = {};
  if (properties.length > 0) {
    const options = jvmOptions(properties);
    env.JAVA_TOOL_OPTIONS = options;
    env.JVM_OPTS = options;
  }
  return {
    target: 'jvm',
    env,
    files: [],
    diagnostics: [...settings.diagnostics, ...diagnostics],
  };
}
