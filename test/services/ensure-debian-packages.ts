import { execFile } from 'node:child_process';
import { constants, accessSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** What one service needs from Debian. */
export interface DebianRequirement {
  /** The service, for messages: `squid`. */
  readonly service: string;
  /** Debian packages that provide it. */
  readonly packages: readonly string[];
  /** Returns what is missing (e.g. `/usr/sbin/squid`), or undefined when everything is there. */
  readonly missing: () => string | undefined;
}

/** The first of `paths` that is not an executable file, or undefined. */
export function firstMissingExecutable(paths: readonly string[]): string | undefined {
  return paths.find((path) => !isExecutable(path));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The bin folder of the newest PostgreSQL under /usr/lib/postgresql that has initdb and postgres. */
export function findPostgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (firstMissingExecutable([join(bin, 'initdb'), join(bin, 'postgres')]) === undefined) {
      return bin;
    }
  }
  return undefined;
}

export const postgresRequirement: DebianRequirement = {
  service: 'postgres',
  packages: ['postgresql'],
  missing: () =>
    findPostgresBinDir() === undefined ? '/usr/lib/postgresql/<version>/bin/postgres' : undefined,
};
export const squidRequirement: DebianRequirement = {
  service: 'squid',
  packages: ['squid', 'apache2-utils'],
  missing: () =>
    firstMissingExecutable([
      '/usr/sbin/squid',
      '/usr/lib/squid/basic_ncsa_auth',
      '/usr/bin/htpasswd',
    ]),
};
export const tinyproxyRequirement: DebianRequirement = {
  service: 'tinyproxy',
  packages: ['tinyproxy'],
  missing: () => firstMissingExecutable(['/usr/bin/tinyproxy']),
};
export const nginxRequirement: DebianRequirement = {
  service: 'nginx',
  packages: ['nginx-light'],
  missing: () => firstMissingExecutable(['/usr/sbin/nginx']),
};
/** Apache httpd with its modules (mod_proxy, mod_proxy_http, mod_headers) under /usr/lib/apache2/modules. */
export const apacheRequirement: DebianRequirement = {
  service: 'apache',
  packages: ['apache2'],
  missing: () =>
    firstMissingExecutable(['/usr/sbin/apache2']) ??
    (existsSync('/usr/lib/apache2/modules/mod_proxy_http.so')
      ? undefined
      : '/usr/lib/apache2/modules/mod_proxy_http.so'),
};
export const slapdRequirement: DebianRequirement = {
  service: 'slapd',
  packages: ['slapd', 'ldap-utils'],
  missing: () =>
    firstMissingExecutable(['/usr/sbin/slapd', '/usr/bin/ldapsearch']) ??
    (existsSync('/etc/ldap/schema/inetorgperson.schema')
      ? undefined
      : '/etc/ldap/schema/inetorgperson.schema'),
};

/** Prometheus and promtool, to scrape and lint the server's /metrics. */
export const prometheusRequirement: DebianRequirement = {
  service: 'prometheus',
  packages: ['prometheus'],
  missing: () => firstMissingExecutable(['/usr/bin/prometheus', '/usr/bin/promtool']),
};

/** Debian's Chromium for the browser tests (playwright-core drives it; no browser download). */
export const chromiumRequirement: DebianRequirement = {
  service: 'chromium',
  packages: ['chromium', 'fonts-dejavu-core'],
  missing: () =>
    firstMissingExecutable(['/usr/bin/chromium']) ??
    (existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf')
      ? undefined
      : '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
};

/** Every service of the harness, for the vitest globalSetup. */
export const allServiceRequirements: readonly DebianRequirement[] = [
  postgresRequirement,
  squidRequirement,
  tinyproxyRequirement,
  nginxRequirement,
  apacheRequirement,
  slapdRequirement,
  chromiumRequirement,
  prometheusRequirement,
];

let updated = false;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Makes sure the requirements are installed. Present: returns at once (a few stat calls).
 * Missing and root: `apt-get update` (once per process) and `apt-get install -y
 * --no-install-recommends`, under a file lock so parallel workers don't race for dpkg's lock.
 * Missing and not root: throws an error naming the package to install. Never skips.
 */
export function ensureDebianPackages(requirements: readonly DebianRequirement[]): Promise<void> {
  const run = queue.then(() => ensureNow(requirements));
  queue = run.catch(() => undefined);
  return run;
}

async function ensureNow(requirements: readonly DebianRequirement[]): Promise<void> {
  const missing = requirements.filter((req) => req.missing() !== undefined);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((req) => req.packages))];
  const what = missing.map((req) => `${req.service} (${req.missing()} not found)`).join(', ');
  if (process.getuid?.() !== 0) {
    throw new Error(
      `test services missing: ${what}. Install the Debian package(s) ${packages.join(' ')}: ` +
        `sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
    );
  }
  process.stderr.write(`[test-services] installing ${packages.join(' ')} for ${what}\n`);
  if (!updated) {
    await apt(['update', '-qq']);
    updated = true;
  }
  await apt(['install', '-y', '--no-install-recommends', '-qq', ...packages]);
  const stillMissing = missing.filter((req) => req.missing() !== undefined);
  if (stillMissing.length > 0) {
    throw new Error(
      `installed ${packages.join(' ')} but still missing: ${stillMissing
        .map((req) => `${req.service} (${req.missing()})`)
        .join(', ')}`,
    );
  }
}

async function apt(args: readonly string[]): Promise<void> {
  const lockPath = join(tmpdir(), 'airlock-test-services-apt.lock');
  try {
    await execFileAsync('flock', [lockPath, 'apt-get', '-o', 'DPkg::Lock::Timeout=300', ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const output = err as { stdout?: string; stderr?: string; message?: string };
    const tail = `${output.stdout ?? ''}\n${output.stderr ?? ''}`.trim().split('\n').slice(-20);
    throw new Error(
      `apt-get ${args.join(' ')} failed: ${output.message ?? ''}\n${tail.join('\n')}`,
      {
        cause: err,
      },
    );
  }
}
