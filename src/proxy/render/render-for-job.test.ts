import { describe, expect, it } from 'vitest';
import { type ProxySettingsInput, parseProxySettings } from '../parse-proxy-settings.js';
import { renderForJob } from './render-for-job.js';
import type { RenderOptions, RenderTarget, RenderedConfig } from './rendered-config.js';

const corp: ProxySettingsInput = {
  env: {
    http_proxy: 'http://alice:s3cret@proxy.corp:3128',
    https_proxy: 'http://alice:s3cret@proxy.corp:3128',
    no_proxy: 'example.com,10.0.0.0/8,git.corp:8443',
  },
  internal: ['https://ci.corp.example/', '169.254.169.254'],
};
const local: RenderOptions = { jobProxyUrl: 'http://127.0.0.1:3128' };
const LIST =
  'localhost,.localhost,127.0.0.1,::1,[::1],example.com,.example.com,10.0.0.0/8,git.corp:8443,.git.corp:8443,ci.corp.example,.ci.corp.example,169.254.169.254';
const JVM_LIST =
  'localhost|127.*|[::1]|example.com|*.example.com|10.*|ci.corp.example|*.ci.corp.example|169.254.169.254';

function render(target: RenderTarget, input = corp, options = local): RenderedConfig {
  return renderForJob(parseProxySettings(input).policy, target, options);
}

interface Case {
  readonly target: RenderTarget;
  readonly input?: ProxySettingsInput;
  readonly options?: RenderOptions;
  readonly env?: Record<string, string>;
  /** path → exact content */
  readonly files?: Record<string, string>;
  readonly codes?: readonly string[];
  readonly reason: string;
}

const J = `-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=3128 -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=3128 -Dhttp.nonProxyHosts=${JVM_LIST}`;

const cases: readonly Case[] = [
  {
    target: 'env',
    env: {
      http_proxy: 'http://127.0.0.1:3128',
      HTTP_PROXY: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      no_proxy: LIST,
      NO_PROXY: LIST,
      NODE_USE_ENV_PROXY: '1',
    },
    files: {},
    codes: [],
    reason: 'six variables, both cases identical, plus NODE_USE_ENV_PROXY',
  },
  {
    target: 'env',
    options: { ...local, includeAllProxy: true },
    env: {
      http_proxy: 'http://127.0.0.1:3128',
      HTTP_PROXY: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      all_proxy: 'http://127.0.0.1:3128',
      ALL_PROXY: 'http://127.0.0.1:3128',
      no_proxy: LIST,
      NO_PROXY: LIST,
      NODE_USE_ENV_PROXY: '1',
    },
    reason: 'ALL_PROXY only when asked for',
  },
  {
    target: 'env',
    options: {},
    env: {
      http_proxy: 'http://proxy.corp:3128',
      HTTP_PROXY: 'http://proxy.corp:3128',
      https_proxy: 'http://proxy.corp:3128',
      HTTPS_PROXY: 'http://proxy.corp:3128',
      no_proxy: LIST,
      NO_PROXY: LIST,
      NODE_USE_ENV_PROXY: '1',
    },
    codes: ['render-credentials-dropped'],
    reason: 'without a local proxy the upstream is used, credentials removed, with a warning',
  },
  {
    target: 'env',
    options: { ...local, noProxy: ['postgres', 'redis:6379'] },
    env: {
      http_proxy: 'http://127.0.0.1:3128',
      HTTP_PROXY: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      no_proxy: `${LIST},postgres,.postgres,redis:6379,.redis:6379`,
      NO_PROXY: `${LIST},postgres,.postgres,redis:6379,.redis:6379`,
      NODE_USE_ENV_PROXY: '1',
    },
    reason: 'service containers are added',
  },
  {
    target: 'env',
    input: { env: {} },
    options: {},
    env: {},
    files: {},
    codes: ['render-no-proxy'],
    reason: 'no proxy: nothing to render',
  },
  {
    target: 'env',
    input: { ...corp, config: { off: true } },
    env: {},
    codes: ['render-no-proxy'],
    reason: 'proxy: off renders nothing',
  },
  {
    target: 'jvm',
    env: { JAVA_TOOL_OPTIONS: J, JVM_OPTS: J },
    files: {},
    codes: ['render-entry-dropped'],
    reason: 'JAVA_TOOL_OPTIONS and JVM_OPTS identical; host:port dropped with a warning',
  },
  {
    target: 'jvm',
    input: { env: { https_proxy: 'socks5://socks.corp:1080' } },
    options: {},
    env: {
      JAVA_TOOL_OPTIONS:
        '-DsocksProxyHost=socks.corp -DsocksProxyPort=1080 -Dhttp.nonProxyHosts=localhost|127.*|[::1]',
      JVM_OPTS:
        '-DsocksProxyHost=socks.corp -DsocksProxyPort=1080 -Dhttp.nonProxyHosts=localhost|127.*|[::1]',
    },
    reason: 'SOCKS proxies use socksProxyHost',
  },
  {
    target: 'jvm',
    input: { env: { https_proxy: 'https://tls.corp:3129' } },
    options: {},
    env: {
      JAVA_TOOL_OPTIONS:
        '-Dhttps.proxyHost=tls.corp -Dhttps.proxyPort=3129 -Dhttp.nonProxyHosts=localhost|127.*|[::1]',
      JVM_OPTS:
        '-Dhttps.proxyHost=tls.corp -Dhttps.proxyPort=3129 -Dhttp.nonProxyHosts=localhost|127.*|[::1]',
    },
    codes: ['render-https-proxy-for-jvm'],
    reason: 'an https:// proxy is warned about: the JVM speaks plain HTTP to it',
  },
  {
    target: 'jvm',
    input: { env: { http_proxy: 'http://[fd00::3]:3128' } },
    options: {},
    env: {
      JAVA_TOOL_OPTIONS:
        '-Dhttp.proxyHost=[fd00::3] -Dhttp.proxyPort=3128 -Dhttp.nonProxyHosts=localhost|127.*|[::1]',
      JVM_OPTS:
        '-Dhttp.proxyHost=[fd00::3] -Dhttp.proxyPort=3128 -Dhttp.nonProxyHosts=localhost|127.*|[::1]',
    },
    reason: 'an IPv6 proxy host in brackets',
  },
  {
    target: 'gradle',
    env: {},
    files: {
      '$GRADLE_USER_HOME/gradle.properties': `systemProp.http.proxyHost=127.0.0.1\nsystemProp.http.proxyPort=3128\nsystemProp.https.proxyHost=127.0.0.1\nsystemProp.https.proxyPort=3128\nsystemProp.http.nonProxyHosts=${JVM_LIST}\n`,
    },
    codes: ['render-entry-dropped'],
    reason: 'systemProp lines; http.nonProxyHosts covers https',
  },
  {
    target: 'maven',
    env: {},
    files: {
      '~/.m2/settings.xml': `<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">
  <proxies>
    <proxy>
      <id>airlock-http</id>
      <active>true</active>
      <protocol>http</protocol>
      <host>127.0.0.1</host>
      <port>3128</port>
      <nonProxyHosts>${JVM_LIST}</nonProxyHosts>
    </proxy>
    <proxy>
      <id>airlock-https</id>
      <active>true</active>
      <protocol>https</protocol>
      <host>127.0.0.1</host>
      <port>3128</port>
      <nonProxyHosts>${JVM_LIST}</nonProxyHosts>
    </proxy>
  </proxies>
</settings>
`,
    },
    codes: ['render-entry-dropped'],
    reason: 'one <proxy> per protocol',
  },
  {
    target: 'maven',
    input: { env: { https_proxy: 'socks5://s:1080' } },
    options: {},
    env: {},
    files: {},
    codes: ['render-entry-dropped'],
    reason: 'Maven has no SOCKS proxies',
  },
  {
    target: 'docker',
    options: { ...local, containerProxyHost: '172.17.0.1' },
    env: {},
    files: {
      '~/.docker/config.json': `${JSON.stringify({ proxies: { default: { httpProxy: 'http://172.17.0.1:3128', httpsProxy: 'http://172.17.0.1:3128', noProxy: LIST } } }, null, 2)}\n`,
    },
    codes: [],
    reason: 'containers reach the proxy on the bridge gateway',
  },
  {
    target: 'docker',
    env: {},
    files: {
      '~/.docker/config.json': `${JSON.stringify({ proxies: { default: { httpProxy: 'http://127.0.0.1:3128', httpsProxy: 'http://127.0.0.1:3128', noProxy: LIST } } }, null, 2)}\n`,
    },
    codes: ['render-loopback-in-container'],
    reason: 'a loopback proxy is unreachable from containers: warned',
  },
  {
    target: 'git',
    env: {
      http_proxy: 'http://127.0.0.1:3128',
      HTTP_PROXY: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      no_proxy: LIST,
      NO_PROXY: LIST,
    },
    files: {
      '~/.gitconfig':
        '[http "http://git.corp:8443/"]\n\tproxy = ""\n[http "https://git.corp:8443/"]\n\tproxy = ""\n',
    },
    codes: [],
    reason: 'git reads the environment; host:port becomes a per-URL exception',
  },
  {
    target: 'git',
    input: { env: { https_proxy: 'http://p:1', no_proxy: 'a.example' } },
    options: {},
    env: {
      https_proxy: 'http://p:1',
      HTTPS_PROXY: 'http://p:1',
      no_proxy: 'localhost,.localhost,127.0.0.1,::1,[::1],a.example,.a.example',
      NO_PROXY: 'localhost,.localhost,127.0.0.1,::1,[::1],a.example,.a.example',
    },
    files: {},
    reason: 'no exceptions needed: no gitconfig',
  },
  {
    target: 'npm',
    env: {},
    files: {
      '~/.npmrc':
        'proxy=http://127.0.0.1:3128\nhttps-proxy=http://127.0.0.1:3128\nnoproxy=localhost,127.0.0.1,::1,[::1],example.com,10.0.0.0/8,ci.corp.example,169.254.169.254\n',
    },
    codes: ['render-entry-dropped'],
    reason: 'proxy, https-proxy and noproxy; host:port dropped',
  },
  {
    target: 'apt',
    env: {},
    files: {
      '/etc/apt/apt.conf.d/95airlock-proxy': [
        'Acquire::http::Proxy "http://127.0.0.1:3128/";',
        'Acquire::https::Proxy "http://127.0.0.1:3128/";',
        'Acquire::http::Proxy::example.com "DIRECT";',
        'Acquire::https::Proxy::example.com "DIRECT";',
        'Acquire::http::Proxy::ci.corp.example "DIRECT";',
        'Acquire::https::Proxy::ci.corp.example "DIRECT";',
        'Acquire::http::Proxy::169.254.169.254 "DIRECT";',
        'Acquire::https::Proxy::169.254.169.254 "DIRECT";',
        '',
      ].join('\n'),
    },
    codes: ['render-entry-dropped'],
    reason: 'full proxy URL with slash; per-host DIRECT; the rest reported',
  },
  {
    target: 'apt',
    input: { env: { http_proxy: 'http://p.corp:3128' } },
    options: {},
    files: {
      '/etc/apt/apt.conf.d/95airlock-proxy': 'Acquire::http::Proxy "http://p.corp:3128/";\n',
    },
    codes: [],
    reason: 'only http configured: only the http line',
  },
];

describe('renderForJob', () => {
  it.each(cases)('$target: $reason', (c) => {
    const result = render(c.target, c.input ?? corp, c.options ?? local);
    expect(result.target).toBe(c.target);
    if (c.env !== undefined) expect(result.env).toEqual(c.env);
    if (c.files !== undefined) {
      expect(Object.fromEntries(result.files.map((f) => [f.path, f.content]))).toEqual(c.files);
    }
    if (c.codes !== undefined) expect(result.diagnostics.map((d) => d.code)).toEqual(c.codes);
    expect(JSON.stringify(result)).not.toMatch(/s3cret|alice/);
  });

  it('never writes a credential, even when asked for a job proxy URL with one', () => {
    for (const target of [
      'env',
      'jvm',
      'gradle',
      'maven',
      'docker',
      'git',
      'npm',
      'apt',
    ] as const) {
      const result = render(target, corp, { jobProxyUrl: 'http://bob:hunter2@127.0.0.1:3128' });
      expect(JSON.stringify(result)).not.toMatch(/hunter2|bob/);
      expect(result.diagnostics.some((d) => d.code === 'render-credentials-dropped')).toBe(true);
    }
  });

  it('keeps entries free of spaces so JAVA_TOOL_OPTIONS splits correctly', () => {
    const result = render('jvm');
    const options = result.env.JAVA_TOOL_OPTIONS ?? '';
    expect(options.split(' ').every((o) => o.startsWith('-D'))).toBe(true);
  });
});
