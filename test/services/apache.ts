import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apacheRequirement, ensureDebianPackages } from './ensure-debian-packages.js';
import { withFreePort } from './free-port.js';
import { httpStatusProbe } from './http-probe.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { createScratchDir } from './scratch-dir.js';
import { runningAsRoot } from './system-user.js';
import { waitUntilReady } from './wait-until-ready.js';

/** A running Apache httpd reverse proxy in front of one upstream, under one path prefix. */
export interface ApacheService {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The proxied prefix, e.g. `/ci/`. */
  readonly pathPrefix: string;
  /** The httpd.conf it runs with (to check what a test asked for). */
  readonly configPath: string;
  readonly accessLogPath: string;
  readonly errorLogPath: string;
  /** Stops httpd and removes its scratch folder. Idempotent. */
  stop(): Promise<void>;
}

export interface StartApacheOptions {
  /** The upstream root, e.g. `http://127.0.0.1:3000/` (a trailing slash is added). */
  readonly upstream: string;
  /** The proxied path prefix, starting and ending with `/`. Default `/ci/`. */
  readonly pathPrefix?: string;
  /** Extra directives at server level, after the proxy configuration. */
  readonly extraConfig?: string;
}

const modulesDir = '/usr/lib/apache2/modules';
/** Loaded with LoadModule; log_config and unixd are compiled into Debian's apache2. */
const modules = ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'headers'] as const;
const readinessFile = '__airlock-apache-ready';

/**
 * Starts Apache httpd (`-DFOREGROUND`, its own config, pid file and logs in a scratch folder) on
 * a free 127.0.0.1 port as a reverse proxy: `ProxyPass PREFIX UPSTREAM upgrade=websocket
 * flushpackets=on`, `ProxyPassReverse`, `ProxyPreserveHost On`, `X-Forwarded-Proto http`
 * (mod_proxy adds X-Forwarded-For, -Host and -Server itself). As root, the workers run as
 * www-data. Ready when a static file outside the prefix answers 200 (the upstream is not
 * contacted, so it may start later).
 */
export async function startApache(options: StartApacheOptions): Promise<ApacheService> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(options.upstream)) {
    throw new Error(
      `apache: upstream ${JSON.stringify(options.upstream)} must be an http URL on 127.0.0.1, e.g. http://127.0.0.1:3000/`,
    );
  }
  const pathPrefix = options.pathPrefix ?? '/ci/';
  if (!/^\/([\w.-]+\/)*$/.test(pathPrefix)) {
    throw new Error(
      `apache: pathPrefix ${JSON.stringify(pathPrefix)} must start and end with "/", e.g. /ci/`,
    );
  }
  await ensureDebianPackages([apacheRequirement]);
  for (const name of modules) {
    const path = join(modulesDir, `mod_${name}.so`);
    if (!existsSync(path)) throw new Error(`apache: module ${path} not found (package apache2)`);
  }

  const scratch = createScratchDir('apache');
  const accessLogPath = join(scratch.path, 'access.log');
  const errorLogPath = join(scratch.path, 'error.log');
  const configPath = join(scratch.path, 'httpd.conf');
  const docRoot = join(scratch.path, 'htdocs');
  let apache: ManagedProcess | undefined;
  try {
    await mkdir(docRoot, { mode: 0o755 });
    await writeFile(join(docRoot, readinessFile), 'ready\n', { mode: 0o644 });
    const port = await withFreePort(async (candidate) => {
      await writeFile(configPath, apacheConfig(scratch.path, candidate, pathPrefix, options));
      apache = await startManagedProcess({
        name: 'apache',
        command: '/usr/sbin/apache2',
        args: ['-d', scratch.path, '-f', configPath, '-DFOREGROUND'],
        cwd: scratch.path,
        // Debian's apache2 reads these in its own apache2.conf only; ours needs none of them.
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' },
        logPath: join(scratch.path, 'apache.out'),
        // SIGTERM stops httpd at once (SIGWINCH is graceful), which suits tests.
        stopSignal: 'SIGTERM',
      });
      const started = apache;
      try {
        await waitUntilReady({
          process: started,
          port: candidate,
          extraLogPaths: [errorLogPath],
          probe: async () => {
            const status = await httpStatusProbe(
              candidate,
              `GET /${readinessFile} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
            );
            if (status !== 200) throw new Error(`expected 200 from apache, got ${status}`);
          },
        });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return candidate;
    });

    const running = apache;
    return {
      url: `http://127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      pathPrefix,
      configPath,
      accessLogPath,
      errorLogPath,
      async stop(): Promise<void> {
        await running?.stop();
        scratch.remove();
      },
    };
  } catch (err) {
    await apache?.stop();
    scratch.remove();
    throw err;
  }
}

function apacheConfig(
  dir: string,
  port: number,
  pathPrefix: string,
  options: StartApacheOptions,
): string {
  const upstream = options.upstream.endsWith('/') ? options.upstream : `${options.upstream}/`;
  const loads = modules
    .map((name) => `LoadModule ${name}_module ${modulesDir}/mod_${name}.so`)
    .join('\n');
  // As root httpd must drop its workers to a user; otherwise they stay the current user.
  const user = runningAsRoot() ? 'User www-data\nGroup www-data\n' : '';
  return `# written by test/services/apache.ts
${loads}

ServerRoot ${dir}
DefaultRuntimeDir ${dir}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel warn
${user}Listen 127.0.0.1:${port}
ServerName 127.0.0.1
DocumentRoot ${dir}/htdocs
Timeout 3600
KeepAlive On
StartServers 1
ServerLimit 1
ThreadsPerChild 25
MaxRequestWorkers 25

LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog ${dir}/access.log common

<Directory />
  Require all denied
</Directory>
<Directory ${dir}/htdocs>
  Require all granted
</Directory>

ProxyRequests Off
ProxyPreserveHost On
ProxyTimeout 3600
<Location ${pathPrefix}>
  Require all granted
</Location>
ProxyPass ${pathPrefix} ${upstream} upgrade=websocket flushpackets=on
ProxyPassReverse ${pathPrefix} ${upstream}
RequestHeader set X-Forwarded-Proto http

${options.extraConfig ?? ''}
`;
}
