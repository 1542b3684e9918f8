import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDebianPackages, tinyproxyRequirement } from './ensure-debian-packages.js';
import { withFreePort } from './free-port.js';
import { httpStatusProbe } from './http-probe.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { chownRecursive, createScratchDir } from './scratch-dir.js';
import { lookupSystemUser, runningAsRoot } from './system-user.js';
import { waitUntilReady } from './wait-until-ready.js';

/** A running tinyproxy forward proxy that requires basic auth. */
export interface TinyproxyService {
  /** `http://127.0.0.1:PORT`, without credentials. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The first user's credentials. */
  readonly username: string;
  readonly password: string;
  /** Log file (requests, CONNECTs, auth failures). */
  readonly logPath: string;
  /** Stops tinyproxy and removes its scratch folder. Idempotent. */
  stop(): Promise<void>;
}

export interface StartTinyproxyOptions {
  /** username -> password (no whitespace or quotes). Default: `ciuser` with a random password. */
  readonly users?: Readonly<Record<string, string>>;
}

const tokenPattern = /^[^\s"'#]+$/;

/**
 * Starts tinyproxy on a free 127.0.0.1 port with `BasicAuth` (407 without credentials; tinyproxy
 * 1.11 answers 401 to a wrong password). CONNECT is allowed to any port. Ready when an
 * unauthenticated proxy request gets 407.
 */
export async function startTinyproxy(
  options: StartTinyproxyOptions = {},
): Promise<TinyproxyService> {
  const users = Object.entries(
    options.users ?? { ciuser: `cipass-${randomBytes(6).toString('hex')}` },
  );
  const first = users[0];
  if (first === undefined) throw new Error('tinyproxy: options.users must name at least one user');
  for (const [name, password] of users) {
    if (!tokenPattern.test(name) || !tokenPattern.test(password)) {
      throw new Error(
        `tinyproxy: user ${JSON.stringify(name)}: names and passwords must not contain whitespace, quotes or #`,
      );
    }
  }
  await ensureDebianPackages([tinyproxyRequirement]);

  const scratch = createScratchDir('tinyproxy');
  const logPath = join(scratch.path, 'tinyproxy.log');
  let tinyproxy: ManagedProcess | undefined;
  try {
    const serviceUser = runningAsRoot() ? lookupSystemUser('tinyproxy') : undefined;
    const port = await withFreePort(async (candidate) => {
      const configPath = join(scratch.path, 'tinyproxy.conf');
      await writeFile(
        configPath,
        tinyproxyConfig(scratch.path, candidate, logPath, users, serviceUser?.name),
      );
      if (serviceUser !== undefined) {
        chownRecursive(scratch.path, serviceUser.uid, serviceUser.gid);
      }
      tinyproxy = await startManagedProcess({
        name: 'tinyproxy',
        command: '/usr/bin/tinyproxy',
        args: ['-d', '-c', configPath],
        cwd: scratch.path,
        logPath: join(scratch.path, 'tinyproxy.out'),
      });
      const started = tinyproxy;
      try {
        await waitUntilReady({
          process: started,
          port: candidate,
          extraLogPaths: [logPath],
          probe: async () => {
            const status = await httpStatusProbe(
              candidate,
              'GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n',
            );
            if (status !== 407) throw new Error(`expected 407 from tinyproxy, got ${status}`);
          },
        });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return candidate;
    });

    const running = tinyproxy;
    return {
      url: `http://127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      username: first[0],
      password: first[1],
      logPath,
      async stop(): Promise<void> {
        await running?.stop();
        scratch.remove();
      },
    };
  } catch (err) {
    await tinyproxy?.stop();
    scratch.remove();
    throw err;
  }
}

function tinyproxyConfig(
  dir: string,
  port: number,
  logPath: string,
  users: ReadonlyArray<readonly [string, string]>,
  runAs: string | undefined,
): string {
  return `# written by test/services/tinyproxy.ts
${runAs === undefined ? '' : `User ${runAs}\nGroup ${runAs}\n`}Port ${port}
Listen 127.0.0.1
Timeout 600
DefaultErrorFile "/usr/share/tinyproxy/default.html"
LogFile "${logPath}"
LogLevel Info
PidFile "${dir}/tinyproxy.pid"
MaxClients 100
Allow 127.0.0.1
# No ConnectPort lines: CONNECT is allowed to every port.
${users.map(([name, password]) => `BasicAuth ${name} ${password}`).join('\n')}
`;
}
