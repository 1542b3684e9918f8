import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import { type Origin, sendConnect, startOrigin } from '../egress/egress-harness.js';
import { type PrivateCa, createPrivateCa } from '../proxy/private-ca.js';
import { type SquidService, startSquid } from '../services/squid.js';
import { makeRepo } from './airlock-processes.js';
import {
  type RunnerWorld,
  jobLog,
  runAirlockCli,
  runPipeline,
  startRunnerWorld,
  stepResults,
  waitForFileText,
  waitForJobsToEnd,
} from './runner-world.js';

/** A config whose job dumps its environment and home files, then fetches through the proxy. */
function fetchConfig(plainUrl: string, tlsUrl: string): string {
  return `version: 2.1
jobs:
  fetch:
    machine: true
    steps:
      - run:
          name: dump env
          command: env -0 | base64 -w0; echo
      - run:
          name: dump home
          command: |
            find "$HOME" -type f -not -path "$HOME/project/*" | sort | while read -r f; do
              echo "=== \${f#$HOME/}"; cat "$f"; echo
            done
      - run:
          name: fetch
          command: |
            curl --silent --show-error --fail "${plainUrl}"
            echo
            curl --silent --show-error --fail "${tlsUrl}"
            echo
workflows:
  main:
    jobs: [fetch]
`;
}

function parseEnvDump(log: string): Record<string, string> {
  const dump = /==> dump env\n([A-Za-z0-9+/=]+)\n/.exec(log)?.[1];
  if (!dump) throw new Error(`no environment dump in the log:\n${log}`);
  const env: Record<string, string> = {};
  for (const entry of Buffer.from(dump, 'base64').toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/**
 * Jobs behind an authenticating corporate proxy: a real runner process started with squid (Basic
 * auth) in HTTP_PROXY/HTTPS_PROXY runs a job whose curl reaches a local server through the
 * runner's local forward proxy. Squid resolves `*.airlock.test` to 127.0.0.1 from its own hosts
 * file, so the names are not bypassed as loopback and nothing leaves the machine.
 */
describe(
  'runner egress: jobs behind an authenticating proxy (real server, runner, squid)',
  {
    timeout: 180_000,
  },
  () => {
    let world: RunnerWorld;
    let squid: SquidService;
    let ca: PrivateCa;
    let origin: Origin;
    let tlsOrigin: Origin;
    let proxyEnv: Record<string, string>;
    let job: JobView;
    let log: string;
    let env: Record<string, string>;
    let plainTarget: string;
    let tlsTarget: string;

    beforeAll(async () => {
      ca = await createPrivateCa();
      [squid, origin, tlsOrigin] = await Promise.all([
        startSquid({
          hosts: { 'origin.airlock.test': '127.0.0.1', 'tls.airlock.test': '127.0.0.1' },
        }),
        startOrigin('origin'),
        startOrigin('tls-origin', { cert: ca.serverCert, key: ca.serverKey }),
      ]);
      const proxy = `http://${squid.username}:${encodeURIComponent(squid.password)}@127.0.0.1:${squid.port}`;
      proxyEnv = {
        HTTP_PROXY: proxy,
        HTTPS_PROXY: proxy,
        http_proxy: proxy,
        https_proxy: proxy,
        NO_PROXY: '',
        no_proxy: '',
        ALL_PROXY: '',
        all_proxy: '',
        AIRLOCK_CA_BUNDLE: join(ca.dir, 'ca.pem'),
      };
      plainTarget = `origin.airlock.test:${origin.port}`;
      tlsTarget = `tls.airlock.test:${tlsOrigin.port}`;
      world = await startRunnerWorld({ runners: [] });
      await world.addRunner({ name: 'egress', capacity: 1, env: proxyEnv });
      const { pipeline } = await runPipeline(
        world.api,
        fetchConfig(
          `http://${plainTarget}/echo?from=job`,
          `https://${tlsTarget}/echo?from=job-tls`,
        ),
      );
      const jobs = await waitForJobsToEnd(world.api, pipeline.id);
      job = jobs.fetch as JobView;
      log = await jobLog(world.api, job.id);
      env = parseEnvDump(log);
    });

    afterAll(async () => {
      await world?.stop();
      await Promise.all([squid?.stop(), origin?.close(), tlsOrigin?.close()]);
      await ca?.remove();
    });

    it('runs the job: curl reaches both servers through the local proxy and squid', async () => {
      expect(stepResults(job)).toEqual([
        ['dump env', 'success', 0],
        ['dump home', 'success', 0],
        ['fetch', 'success', 0],
      ]);
      expect(log).toContain('{"server":"origin","method":"GET","url":"/echo?from=job"}');
      expect(log).toContain('{"server":"tls-origin","method":"GET","url":"/echo?from=job-tls"}');
      const access = await squid.waitForAccessLog(`CONNECT ${tlsTarget}`);
      expect(access).toMatch(
        new RegExp(`/200 \\d+ GET http://${plainTarget}/echo\\S* user=${squid.username} `),
      );
      expect(access).toMatch(new RegExp(`/200 \\d+ CONNECT ${tlsTarget} user=${squid.username} `));
    });

    it('gives the job a credential-free http://127.0.0.1:PORT in every variable and tool config', () => {
      const local = env.HTTP_PROXY ?? '';
      expect(local).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy']) {
        expect([name, env[name]]).toEqual([name, local]);
      }
      expect(env).not.toHaveProperty('ALL_PROXY');
      const port = local.split(':')[2];
      expect(env.NO_PROXY?.split(',')).toEqual(
        expect.arrayContaining(['localhost', '127.0.0.1', '169.254.169.254']),
      );
      expect(env.no_proxy).toBe(env.NO_PROXY);
      expect(env.JAVA_TOOL_OPTIONS).toContain(
        `-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=${port}`,
      );
      const home = log.slice(log.indexOf('==> dump home'), log.indexOf('==> fetch'));
      expect(home).toContain('=== .gradle/gradle.properties');
      expect(home).toContain(`systemProp.https.proxyPort=${port}`);
      expect(home).toContain('=== .m2/settings.xml');
      expect(home).toContain(`<port>${port}</port>`);
      expect(home).toContain('=== .docker/config.json');
      expect(home).toContain(`"httpsProxy": "${local}"`);
      expect(home).toContain('=== .npmrc');
      expect(home).toContain(`https-proxy=${local}`);
    });

    it('keeps the password and the user:password pair out of the env, the home files and the log', async () => {
      const pair = `${squid.username}:${squid.password}`;
      const encodedPair = `${squid.username}:${encodeURIComponent(squid.password)}`;
      for (const text of [JSON.stringify(env), log]) {
        expect(text).not.toContain(squid.password);
        expect(text).not.toContain(encodeURIComponent(squid.password));
        expect(text).not.toContain(pair);
        expect(text).not.toContain(encodedPair);
        expect(text).not.toContain(Buffer.from(pair).toString('base64'));
      }
      const runnerLog = readFileSync(join(world.runners[0]?.workDir ?? '', 'runner.log'), 'utf8');
      expect(runnerLog).not.toContain(squid.password);
    });

    it('logs every host the job reached, one line each, in the runner log', async () => {
      const runnerLogPath = join(world.runners[0]?.workDir ?? '', 'runner.log');
      await waitForFileText(runnerLogPath, `target=${tlsTarget}`);
      const lines = readFileSync(runnerLogPath, 'utf8').split('\n');
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `info egress job=${job.id} method=GET target=${plainTarget} route=proxy proxy=${squid.url} rule="http_proxy" status=200 up=0 down=\\d+ ms=\\d+$`,
          ),
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `info egress job=${job.id} method=CONNECT target=${tlsTarget} route=proxy proxy=${squid.url} rule="https_proxy" status=200 up=\\d+ down=\\d+ ms=\\d+$`,
          ),
        ),
      );
      expect(lines).toContainEqual(
        expect.stringContaining(
          'info jobs reach the network through a local proxy on 127.0.0.1 that holds the credentials of http_proxy and https_proxy (job-egress auto); every host a job reaches is logged',
        ),
      );
    });

    it('closes the job’s local proxy when the job ends', async () => {
      const port = Number((env.HTTP_PROXY ?? '').split(':')[2]);
      await expect(sendConnect(port, plainTarget)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });

    it('warns once at start when jobs get the proxy without its credentials (pass-through)', async () => {
      const runner = await world.addRunner({
        name: 'pass-through',
        env: { ...proxyEnv, AIRLOCK_JOB_EGRESS: 'pass-through' },
      });
      await waitForFileText(join(runner.workDir, 'runner.log'), 'job-egress is pass-through');
      expect(readFileSync(join(runner.workDir, 'runner.log'), 'utf8')).toContain(
        'warn job-egress is pass-through and http_proxy and https_proxy carry credentials: jobs get the proxy URL without them and will not be able to authenticate (407)',
      );
    });

    it('refuses a bad job-egress value, naming the setting and what is accepted', async () => {
      const result = await runAirlockCli(
        ['runner', '--server', world.server.url, '--job-egress', 'sometimes', '--work-dir', ca.dir],
        { env: { AIRLOCK_JOB_EGRESS_PORT: '70000' } },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        '--job-egress: must be auto, local or pass-through (got "sometimes")',
      );
      expect(result.stderr).toContain(
        'AIRLOCK_JOB_EGRESS_PORT: must be a port number from 0 to 65535 (0: an ephemeral port for each job) (got "70000")',
      );
    });

    it('refuses a bad job-egress value for the server’s embedded runner too', async () => {
      const result = await runAirlockCli([
        'server',
        '--data-dir',
        join(ca.dir, 'server-data'),
        '--port',
        '0',
        '--job-egress',
        'always',
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        '--job-egress: must be auto, local or pass-through (got "always")',
      );
    });

    it('airlock run uses the local proxy the same way', async () => {
      const repo = await makeRepo({
        '.circleci/config.yml': fetchConfig(
          `http://${plainTarget}/echo?from=run`,
          `https://${tlsTarget}/echo?from=run-tls`,
        ),
      });
      const result = await runAirlockCli(['run', repo], { env: proxyEnv, timeoutMs: 120_000 });
      expect(result.stderr).toContain('Pipeline success.');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('{"server":"origin","method":"GET","url":"/echo?from=run"}');
      expect(result.stdout).toContain(
        '{"server":"tls-origin","method":"GET","url":"/echo?from=run-tls"}',
      );
      const dump = /\[fetch\] ==> dump env\n\[fetch\] ([A-Za-z0-9+/=]+)\n/.exec(result.stdout)?.[1];
      const runEnv = parseEnvDump(`==> dump env\n${dump}\n`);
      expect(runEnv.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(`${result.stdout}${result.stderr}${JSON.stringify(runEnv)}`).not.toContain(
        squid.password,
      );
      const line = new RegExp(
        `/200 \\d+ GET http://${plainTarget}/echo\\S* user=${squid.username} `,
        'g',
      );
      const proxied = (await squid.readAccessLog()).match(line) ?? [];
      expect(proxied).toHaveLength(2);
    });
  },
);
