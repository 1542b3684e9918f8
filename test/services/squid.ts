import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDebianPackages, squidRequirement } from './ensure-debian-packages.js';
import { withFreePort } from './free-port.js';
import { httpStatusProbe } from './http-probe.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { chownRecursive, createScratchDir } from './scratch-dir.js';
import { lookupSystemUser, runningAsRoot } from './system-user.js';
import { waitUntilReady } from './wait-until-ready.js';

/** A running squid forward proxy that requires basic auth and caches nothing. */
export interface SquidService {
  /** `http://127.0.0.1:PORT`, without credentials. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The first user's credentials. */
  readonly username: string;
  readonly password: string;
  /** One line per request: time, client, result/status, method, URL (host:port for CONNECT), user. */
  readonly accessLogPath: string;
  /** The access log so far ('' when nothing was logged yet). */
  readAccessLog(): Promise<string>;
  /**
   * Waits until the access log contains `match` (squid writes the line when the transaction ends,
   * which can be just after the client got its answer) and returns the log. Throws after `timeoutMs`.
   */
  waitForAccessLog(match: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Stops squid and removes its scratch folder. Idempotent. */
  stop(): Promise<void>;
}

export interface StartSquidOptions {
  /** username -> password. Default: one user `ciuser` with a random password. */
  readonly users?: Readonly<Record<string, string>>;
  /**
   * Host names squid resolves from its own hosts file (name -> loopback IPv4), so a test can
   * reach a local server under a name that no client bypasses as loopback. With it, squid's DNS
   * server is 127.0.0.1 (nothing answers): other names fail at once and no query leaves the host.
   */
  readonly hosts?: Readonly<Record<string, string>>;
}

/** Requests to this name are answered (407) but not logged: the readiness probe uses it. */
const probeHost = 'airlock-readiness-probe.invalid';

/**
 * Starts squid on a free 127.0.0.1 port in a scratch folder, with basic auth (basic_ncsa_auth over
 * an htpasswd file), `cache deny all`, CONNECT to any port, and an access log a test can read.
 * Ready when an unauthenticated proxy request gets 407.
 */
export async function startSquid(options: StartSquidOptions = {}): Promise<SquidService> {
  const users = Object.entries(
    options.users ?? { ciuser: `cipass-${randomBytes(6).toString('hex')}` },
  );
  const first = users[0];
  if (first === undefined) throw new Error('squid: options.users must name at least one user');
  for (const [name] of users) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      throw new Error(`squid: user name ${JSON.stringify(name)} must be letters, digits, . _ -`);
    }
  }
  const hosts = Object.entries(options.hosts ?? {});
  for (const [name, ip] of hosts) {
    if (!/^[a-z0-9.-]+$/.test(name) || !/^127\.\d+\.\d+\.\d+$/.test(ip)) {
      throw new Error(`squid: hosts entry ${name} -> ${ip} must map a lowercase name to 127.x.y.z`);
    }
  }
  await ensureDebianPackages([squidRequirement]);

  const scratch = createScratchDir('squid');
  const passwdPath = join(scratch.path, 'passwd');
  const accessLogPath = join(scratch.path, 'access.log');
  const cacheLogPath = join(scratch.path, 'cache.log');
  let squid: ManagedProcess | undefined;
  try {
    for (const [index, [name, password]] of users.entries()) {
      await htpasswd(passwdPath, name, password, index === 0);
    }
    await writeFile(accessLogPath, '');
    if (hosts.length > 0) {
      await writeFile(
        join(scratch.path, 'hosts'),
        hosts.map(([name, ip]) => `${ip} ${name}\n`).join(''),
      );
    }
    const port = await withFreePort(async (candidate) => {
      const configPath = join(scratch.path, 'squid.conf');
      await writeFile(configPath, squidConfig(scratch.path, candidate, hosts.length > 0));
      if (runningAsRoot()) {
        const proxyUser = lookupSystemUser('proxy');
        chownRecursive(scratch.path, proxyUser.uid, proxyUser.gid);
      }
      squid = await startManagedProcess({
        name: 'squid',
        command: '/usr/sbin/squid',
        args: ['-N', '-d1', '-f', configPath],
        cwd: scratch.path,
        logPath: join(scratch.path, 'squid.out'),
        stopGraceMs: 5_000,
      });
      const started = squid;
      try {
        await waitUntilReady({
          process: started,
          port: candidate,
          extraLogPaths: [cacheLogPath],
          probe: async () => {
            const status = await httpStatusProbe(
              candidate,
              `GET http://${probeHost}/ HTTP/1.1\r\nHost: ${probeHost}\r\nConnection: close\r\n\r\n`,
            );
            if (status !== 407) throw new Error(`expected 407 from squid, got ${status}`);
          },
        });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return candidate;
    });

    const running = squid;
    const readAccessLog = (): Promise<string> => readFile(accessLogPath, 'utf8').catch(() => '');
    return {
      url: `http://127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      username: first[0],
      password: first[1],
      accessLogPath,
      readAccessLog,
      async waitForAccessLog(match: string | RegExp, timeoutMs = 10_000): Promise<string> {
        const started = performance.now();
        for (;;) {
          const log = await readAccessLog();
          if (typeof match === 'string' ? log.includes(match) : match.test(log)) return log;
          if (performance.now() - started > timeoutMs) {
            throw new Error(
              `squid access log has no line matching ${String(match)} after ${timeoutMs} ms:\n${log}`,
            );
          }
          await sleep(50);
        }
      },
      async stop(): Promise<void> {
        await running?.stop();
        scratch.remove();
      },
    };
  } catch (err) {
    await squid?.stop();
    scratch.remove();
    throw err;
  }
}

function squidConfig(dir: string, port: number, ownHosts: boolean): string {
  return `# written by test/services/squid.ts
http_port 127.0.0.1:${port}
visible_hostname airlock-test-squid
pid_filename ${dir}/squid.pid
cache_log ${dir}/cache.log
coredump_dir ${dir}
netdb_filename none
pinger_enable off
shutdown_lifetime 0 seconds
logfile_rotate 0

# Cache nothing: every request reaches the origin, so tests see every request.
cache deny all
cache_mem 8 MB

auth_param basic program /usr/lib/squid/basic_ncsa_auth ${dir}/passwd
auth_param basic children 3 startup=1 idle=1
auth_param basic realm airlock-test-squid
auth_param basic credentialsttl 5 seconds

acl localhost_src src 127.0.0.1/32 ::1
acl authenticated proxy_auth REQUIRED
acl readiness_probe dstdomain ${probeHost}

# No Safe_ports / SSL_ports rules: CONNECT and plain HTTP are allowed to any port
# (tests run TLS servers on random high ports).
http_access deny !localhost_src
http_access allow authenticated
http_access deny all

logformat airlock %ts.%03tu %>a %Ss/%03>Hs %<st %rm %ru user=%[un host=%>rd
access_log stdio:${dir}/access.log logformat=airlock !readiness_probe
${ownHosts ? `hosts_file ${dir}/hosts\ndns_nameservers 127.0.0.1\ndns_timeout 2 seconds\n` : ''}`;
}

function htpasswd(path: string, user: string, password: string, create: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    // -i: the password comes on stdin, so it never shows in a process list.
    const child = execFile(
      '/usr/bin/htpasswd',
      [...(create ? ['-c'] : []), '-i', path, user],
      (err, _stdout, stderr) =>
        err ? reject(new Error(`squid: htpasswd failed: ${stderr || err.message}`)) : resolve(),
    );
    child.stdin?.end(`${password}\n`);
  });
}
