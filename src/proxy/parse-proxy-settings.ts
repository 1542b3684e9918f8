import { redactUrl } from '../shared/redact-url.js';
import type { NoProxyEntry } from './no-proxy-entry.js';
import { NoProxyMatcher } from './no-proxy-matcher.js';
import { parseNoProxy } from './parse-no-proxy.js';
import { parseProxyUrl } from './parse-proxy-url.js';
import type { ProxyDiagnostic } from './proxy-diagnostic.js';
import type { ProxyEndpoint } from './proxy-endpoint.js';
import type { ProxyPolicy } from './proxy-policy.js';

/** Proxy settings from Airlock's own configuration (settings file or flags). */
export interface ProxyConfig {
  readonly http?: string;
  readonly https?: string;
  readonly all?: string;
  readonly noProxy?: string | readonly string[];
  /** `proxy: off`: no proxy for anything, whatever the environment says. */
  readonly off?: boolean;
  /**
   * Hosts (NO_PROXY grammar, or URLs) that go through the proxy even though they are internal
   * endpoints or loopback: the operator's explicit override of the implicit and internal rules.
   */
  readonly proxyInternal?: string | readonly string[];
}

export interface ProxySettingsInput {
  /** The process environment (`ctx.env`); only the proxy variables and REQUEST_METHOD are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Explicit configuration; wins over the environment, with a warning when both differ. */
  readonly config?: ProxyConfig;
  /** Internal endpoints, always direct unless `config.proxyInternal` says otherwise: hosts
   * (NO_PROXY grammar) or URLs (their host is used), e.g. the server's URL, the blob store,
   * `169.254.169.254`. */
  readonly internal?: readonly string[];
}

export interface ParsedProxySettings {
  readonly policy: ProxyPolicy;
  readonly diagnostics: readonly ProxyDiagnostic[];
}

/** A value and the variable it was read from. */
interface Setting<T> {
  readonly value: T;
  readonly variable: string;
}

const nonEmpty = (v: string | undefined): v is string => v !== undefined && v !== '';

/**
 * Reads one variable the way the rules say: the lowercase name when set and non-empty, else the
 * uppercase one; an empty value is unset; both set and different is a warning.
 */
export function readProxyVariable(
  env: Readonly<Record<string, string | undefined>>,
  lower: string,
  diagnostics: ProxyDiagnostic[],
): Setting<string> | undefined {
  const upper = lower.toUpperCase();
  const lv = env[lower];
  const uv = env[upper];
  if (nonEmpty(lv)) {
    if (nonEmpty(uv) && uv !== lv) {
      diagnostics.push({
        severity: 'warning',
        code: 'case-conflict',
        variable: lower,
        message: `${lower}=${JSON.stringify(redactUrl(lv))} and ${upper}=${JSON.stringify(redactUrl(uv))} differ; Airlock, curl, Python, Ruby and Node use ${lower}, while Go and Docker use ${upper}.`,
        suggestion: `set both to the same value: ${upper}="$${lower}"`,
        tools: ['Go', 'Docker'],
      });
    }
    return { value: lv, variable: lower };
  }
  if (nonEmpty(uv)) return { value: uv, variable: upper };
  return undefined;
}

function pick(
  configValue: string | undefined,
  configName: string,
  fromEnv: Setting<string> | undefined,
  diagnostics: ProxyDiagnostic[],
): Setting<string> | undefined {
  if (!nonEmpty(configValue)) return fromEnv;
  if (fromEnv !== undefined && fromEnv.value !== configValue) {
    diagnostics.push({
      severity: 'warning',
      code: 'config-overrides-env',
      variable: configName,
      message: `${configName}=${JSON.stringify(redactUrl(configValue))} is used; the environment's ${fromEnv.variable}=${JSON.stringify(redactUrl(fromEnv.value))} is ignored by Airlock (explicit configuration wins), but other programs on this host still use it.`,
      suggestion: `make ${fromEnv.variable} match ${configName}, or unset it`,
    });
  }
  return { value: configValue, variable: configName };
}

function joinList(value: string | readonly string[]): string {
  return typeof value === 'string' ? value : value.join(',');
}

function parseEndpoint(
  setting: Setting<string> | undefined,
  diagnostics: ProxyDiagnostic[],
): { endpoint: ProxyEndpoint | undefined; rejected: string | undefined } {
  if (setting === undefined) return { endpoint: undefined, rejected: undefined };
  const parsed = parseProxyUrl(setting.value, setting.variable);
  diagnostics.push(...parsed.diagnostics);
  return {
    endpoint: parsed.endpoint,
    rejected: parsed.endpoint === undefined ? setting.variable : undefined,
  };
}

function hostsOf(values: readonly string[]): string[] {
  return values.map((v) => {
    if (!v.includes('://')) return v;
    try {
      const url = new URL(v);
      return url.hostname === '' ? v : url.hostname;
    } catch {
      return v;
    }
  });
}

function parseHostList(
  values: readonly string[],
  variable: string,
  origin: 'internal' | 'proxy-internal',
  diagnostics: ProxyDiagnostic[],
): readonly NoProxyEntry[] {
  const parsed = parseNoProxy(hostsOf(values), variable, origin);
  diagnostics.push(...parsed.diagnostics);
  return parsed.entries;
}

/**
 * Turns the environment and/or explicit configuration into one policy plus diagnostics.
 * Never throws: malformed values are error diagnostics, and the policy treats them as unset
 * (a rejected `https_proxy` falls back to `all_proxy`), so a long-running process can go on
 * while a command such as `airlock proxy route` refuses (exit 2).
 */
export function parseProxySettings(input: ProxySettingsInput): ParsedProxySettings {
  const env = input.env ?? {};
  const config = input.config ?? {};
  const diagnostics: ProxyDiagnostic[] = [];

  const envHttp = readProxyVariable(env, 'http_proxy', diagnostics);
  const envHttps = readProxyVariable(env, 'https_proxy', diagnostics);
  const envAll = readProxyVariable(env, 'all_proxy', diagnostics);
  const envNoProxy = readProxyVariable(env, 'no_proxy', diagnostics);

  let httpSetting = pick(config.http, 'config.http', envHttp, diagnostics);
  const httpsSetting = pick(config.https, 'config.https', envHttps, diagnostics);
  const allSetting = pick(config.all, 'config.all', envAll, diagnostics);
  const configNoProxy =
    config.noProxy === undefined ? undefined : joinList(config.noProxy) || undefined;
  const noProxySetting = pick(configNoProxy, 'config.noProxy', envNoProxy, diagnostics);

  let cgiGuard = false;
  if (env.REQUEST_METHOD !== undefined && httpSetting?.variable === 'HTTP_PROXY') {
    diagnostics.push({
      severity: 'warning',
      code: 'cgi-http-proxy-ignored',
      variable: 'HTTP_PROXY',
      message:
        'REQUEST_METHOD is set, so this may be a CGI request where a client controls HTTP_PROXY (the "Proxy:" header); HTTP_PROXY is ignored for http: and ws: URLs, as Python and Ruby do. all_proxy still applies.',
      suggestion: 'set the lowercase http_proxy, or Airlock configuration, instead',
    });
    httpSetting = undefined;
    cgiGuard = true;
  }

  const http = parseEndpoint(httpSetting, diagnostics);
  const https = parseEndpoint(httpsSetting, diagnostics);
  const all = parseEndpoint(allSetting, diagnostics);

  let noProxyEntries: readonly NoProxyEntry[] = [];
  if (noProxySetting !== undefined) {
    const parsed = parseNoProxy(noProxySetting.value, noProxySetting.variable);
    diagnostics.push(...parsed.diagnostics);
    noProxyEntries = parsed.entries;
  }

  const internal = parseHostList(input.internal ?? [], 'internal', 'internal', diagnostics);
  const proxyInternalValues =
    config.proxyInternal === undefined
      ? []
      : typeof config.proxyInternal === 'string'
        ? [config.proxyInternal]
        : config.proxyInternal;
  const proxyInternal = parseHostList(
    proxyInternalValues,
    'config.proxyInternal',
    'proxy-internal',
    diagnostics,
  );

  const off = config.off === true;
  if (off) {
    const set = [httpSetting, httpsSetting, allSetting].filter((s) => s !== undefined);
    if (set.length > 0) {
      diagnostics.push({
        severity: 'warning',
        code: 'proxy-off',
        variable: 'config.off',
        message: `proxy is off in the configuration, so Airlock ignores ${set.map((s) => s.variable).join(', ')}; other programs on this host still use them.`,
      });
    }
  }

  const rejected: { http?: string; https?: string } = {};
  if (http.rejected !== undefined) rejected.http = http.rejected;
  if (https.rejected !== undefined) rejected.https = https.rejected;

  const policy: ProxyPolicy = {
    off,
    http: http.endpoint,
    https: https.endpoint,
    all: all.endpoint,
    noProxy: new NoProxyMatcher(noProxyEntries),
    noProxySource: noProxySetting?.variable,
    internal: new NoProxyMatcher(internal),
    proxyInternal: new NoProxyMatcher(proxyInternal),
    cgiGuard,
    rejected,
  };
  return { policy, diagnostics };
}
