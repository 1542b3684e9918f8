import type { ProxyDiagnostic } from '../proxy-diagnostic.js';
import type { JobSettings } from './job-settings.js';
import { jvmNonProxyHosts } from './no-proxy-lists.js';
import type { RenderedConfig } from './rendered-config.js';

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/**
 * `~/.m2/settings.xml` with one `<proxy>` per protocol. Maven ignores the environment for
 * resolver traffic, so this file is what makes it use the proxy. `nonProxyHosts` uses the JDK's
 * `|` and `*` syntax. Merge it into an existing settings file, or pass it with `-s`.
 */
export function renderMaven(settings: JobSettings): RenderedConfig {
  const variable = 'settings.xml';
  const diagnostics: ProxyDiagnostic[] = [...settings.diagnostics];
  const nonProxy = jvmNonProxyHosts(settings.entries, variable);
  const blocks: string[] = [];
  for (const [scheme, proxy] of [
    ['http', settings.http],
    ['https', settings.https],
  ] as const) {
    if (!proxy) continue;
    if (proxy.protocol === 'socks5' || proxy.protocol === 'socks5h') {
      diagnostics.push({
        severity: 'warning',
        code: 'render-entry-dropped',
        variable,
        message: `Maven's settings.xml has no SOCKS proxies, so ${proxy.url} is left out for ${scheme}.`,
        suggestion: 'give jobs an http:// proxy (the local forward proxy)',
        tools: ['Maven'],
      });
      continue;
    }
    const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
    blocks.push(
      [
        '    <proxy>',
        `      <id>airlock-${scheme}</id>`,
        '      <active>true</active>',
        `      <protocol>${scheme}</protocol>`,
        `      <host>${xml(host)}</host>`,
        `      <port>${proxy.port}</port>`,
        `      <nonProxyHosts>${xml(nonProxy.value)}</nonProxyHosts>`,
        '    </proxy>',
      ].join('\n'),
    );
  }
  if (blocks.length === 0) return { target: 'maven', env: {}, files: [], diagnostics };
  diagnostics.push(...nonProxy.diagnostics);
  const content = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"',
    '          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    '          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">',
    '  <proxies>',
    ...blocks,
    '  </proxies>',
    '</settings>',
    '',
  ].join('\n');
  return {
    target: 'maven',
    env: {},
    files: [{ path: '~/.m2/settings.xml', content, merge: true }],
    diagnostics,
  };
}
