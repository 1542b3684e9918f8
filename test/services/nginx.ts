import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDebianPackages, nginxRequirement } from './ensure-debian-packages.js';
import { withFreePort } from './free-port.js';
import { httpStatusProbe } from './http-probe.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { createScratchDir } from './scratch-dir.js';
import { waitUntilReady } from './wait-until-ready.js';

/** A running nginx reverse proxy in front of one upstream. */
export interface NginxService {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The nginx.conf it runs with (to check what a test asked for). */
  readonly configPath: string;
  readonly accessLogPath: string;
  readonly errorLogPath: string;
  /** Stops nginx and removes its scratch folder. Idempotent. */
  stop(): Promise<void>;
}

export interface StartNginxOptions {
  /**
   * Used verbatim in `proxy_pass`, e.g. `http://127.0.0.1:3000`. With a path (`http://…:3000/`)
   * nginx replaces the location prefix with it, as usual.
   */
  readonly upstream: string;
  /** The proxied location. Default `/`. */
  readonly locationPrefix?: string;
  /** `proxy_buffering` for the location. Default true (nginx's default); false for live streams. */
  readonly proxyBuffering?: boolean;
  /** Extra directives inside `http { }`. */
  readonly extraHttpConfig?: string;
  /** Extra directives inside the proxied `location { }`. */
  readonly extraLocationConfig?: string;
}

const readinessPath = '/__airlock-nginx-ready';

/**
 * Starts nginx (`daemon off`, pid, logs and temp folders in a scratch folder) on a free 127.0.0.1
 * port as a reverse proxy: HTTP/1.1 to the upstream, WebSocket upgrade headers, X-Forwarded-For,
 * -Proto and -Host. Ready when its own readiness location answers 200 (the upstream is not
 * contacted, so it may start later).
 */
export async function startNginx(options: StartNginxOptions): Promise<NginxService> {
  if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(options.upstream)) {
    throw new Error(
      `nginx: upstream ${JSON.stringify(options.upstream)} must be an http(s) URL on 127.0.0.1, e.g. http://127.0.0.1:3000`,
    );
  }
  await ensureDebianPackages([nginxRequirement]);

  const scratch = createScratchDir('nginx');
  const accessLogPath = join(scratch.path, 'access.log');
  const errorLogPath = join(scratch.path, 'error.log');
  const configPath = join(scratch.path, 'nginx.conf');
  let nginx: ManagedProcess | undefined;
  try {
    await mkdir(join(scratch.path, 'tmp'), { mode: 0o777 });
    const port = await withFreePort(async (candidate) => {
      await writeFile(configPath, nginxConfig(scratch.path, candidate, options));
      nginx = await startManagedProcess({
        name: 'nginx',
        command: '/usr/sbin/nginx',
        args: ['-p', scratch.path, '-c', configPath, '-e', errorLogPath],
        cwd: scratch.path,
        logPath: join(scratch.path, 'nginx.out'),
        // SIGQUIT is nginx's graceful shutdown; SIGTERM is fast, which suits tests.
        stopSignal: 'SIGTERM',
      });
      const started = nginx;
      try {
        await waitUntilReady({
          process: started,
          port: candidate,
          extraLogPaths: [errorLogPath],
          probe: async () => {
            const status = await httpStatusProbe(
              candidate,
              `GET ${readinessPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
            );
            if (status !== 200) throw new Error(`expected 200 from nginx, got ${status}`);
          },
        });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return candidate;
    });

    const running = nginx;
    return {
      url: `http://127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      configPath,
      accessLogPath,
      errorLogPath,
      async stop(): Promise<void> {
        await running?.stop();
        scratch.remove();
      },
    };
  } catch (err) {
    await nginx?.stop();
    scratch.remove();
    throw err;
  }
}

function nginxConfig(dir: string, port: number, options: StartNginxOptions): string {
  const tmp = join(dir, 'tmp');
  return `# written by test/services/nginx.ts
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;

events {
  worker_connections 512;
}

http {
  access_log ${dir}/access.log;
  client_body_temp_path ${tmp}/client_body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }

${indent(options.extraHttpConfig ?? '', 2)}

  server {
    listen 127.0.0.1:${port};
    server_name localhost;

    location = ${readinessPath} {
      access_log off;
      return 200 "ready\\n";
    }

    location ${options.locationPrefix ?? '/'} {
      proxy_pass ${options.upstream};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
      proxy_buffering ${options.proxyBuffering === false ? 'off' : 'on'};
${indent(options.extraLocationConfig ?? '', 6)}
    }
  }
}
`;
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${' '.repeat(spaces)}${line}`))
    .join('\n');
}
