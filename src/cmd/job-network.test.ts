import { describe, expect, it } from 'vitest';
import type { JobAssignment } from '../protocol/runner-api.js';
import { parseProxySettings } from '../proxy/index.js';
import type { Workspace } from '../runner/executors/executor.js';
import { AppError } from '../shared/app-error.js';
import { jobNetworkFromEnv, resolveJobEgress } from './job-network.js';

const assignment = {
  jobId: 'job-1',
  jobUrl: 'http://ci.corp.example:8080/jobs/job-1',
} as JobAssignment;
const workspace = {} as Workspace;
const corp = { https_proxy: 'http://bob:hunter2@proxy.corp.example:3128' };

describe('resolveJobEgress', () => {
  const policy = (env: Record<string, string>) => parseProxySettings({ env }).policy;

  it.each([
    ['auto, a proxy with credentials', 'auto', corp, true],
    ['auto, a proxy without credentials', 'auto', { https_proxy: 'http://proxy:3128' }, false],
    ['auto, no proxy at all', 'auto', {}, false],
    ['local, no credentials', 'local', { https_proxy: 'http://proxy:3128' }, true],
    ['local, no proxy at all', 'local', {}, true],
    ['pass-through, credentials', 'pass-through', corp, false],
  ] as const)('%s', (_name, mode, env, local) => {
    expect(resolveJobEgress(policy(env), mode).localEgress).toBe(local);
  });

  it('warns once when pass-through leaves jobs without the credentials', () => {
    const { egressNotes } = resolveJobEgress(policy(corp), 'pass-through');
    expect(egressNotes).toEqual([
      {
        level: 'warn',
        message:
          'job-egress is pass-through and https_proxy carries credentials: jobs get the proxy URL without them and will not be able to authenticate (407); set job-egress to auto or local to give jobs a local proxy that holds them',
      },
    ]);
    expect(JSON.stringify(egressNotes)).not.toMatch(/bob|hunter2/);
  });

  it('says nothing for pass-through without credentials, and warns about SOCKS upstreams', () => {
    expect(
      resolveJobEgress(policy({ http_proxy: 'http://p:1' }), 'pass-through').egressNotes,
    ).toEqual([]);
    const socks = resolveJobEgress(policy({ all_proxy: 'socks5://p:1080' }), 'local').egressNotes;
    expect(socks.map((n) => n.level)).toEqual(['info', 'warn']);
    expect(socks[1]?.message).toContain('all_proxy is a SOCKS proxy (socks5://p:1080)');
  });
});

describe('jobNetworkFromEnv: the job network of a runner', () => {
  const log = () => {};

  it('pass-through gives jobs the policy’s proxy without its credentials', async () => {
    const setup = jobNetworkFromEnv(corp, { egress: { mode: 'pass-through', firstPort: 0 } });
    const network = await setup.forRunner({ log, capacity: 1 }).forJob(assignment, workspace);
    expect(network.env.HTTPS_PROXY).toBe('http://proxy.corp.example:3128');
    expect(network.release).toBeUndefined();
    expect(JSON.stringify(network)).not.toContain('hunter2');
  });

  it('auto gives each job its own local proxy, credential-free, closed on release', async () => {
    const setup = jobNetworkFromEnv(corp);
    expect(setup.localEgress).toBe(true);
    const runner = setup.forRunner({ log, capacity: 2 });
    const network = await runner.forJob(assignment, workspace);
    const local = network.env.HTTPS_PROXY ?? '';
    expect(local).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy'])
      expect(network.env[name]).toBe(local);
    expect(network.env.NO_PROXY?.split(',')).toEqual(
      expect.arrayContaining(['localhost', '127.0.0.1', '169.254.169.254', 'ci.corp.example']),
    );
    const files = Object.fromEntries(network.files.map((f) => [f.path, f.content]));
    expect(Object.keys(files).sort()).toEqual([
      '.docker/config.json',
      '.gradle/gradle.properties',
      '.m2/settings.xml',
      '.npmrc',
    ]);
    expect(files['.npmrc']).toContain(`https-proxy=${local}`);
    expect(JSON.stringify(network)).not.toMatch(/bob|hunter2/);
    const port = Number(local.split(':')[2]);
    const reachable = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.status);
    expect(reachable).toBe(400);
    await network.release?.();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    await runner.close();
  });

  it('refuses a port range that runs past 65535', () => {
    const setup = jobNetworkFromEnv(corp, { egress: { mode: 'local', firstPort: 65535 } });
    expect(() => setup.forRunner({ log, capacity: 4 })).toThrow(AppError);
    expect(() => setup.forRunner({ log, capacity: 4 })).toThrow(
      'job-egress-port 65535 leaves no room for 4 jobs at once: their local proxies use ports 65535-65538',
    );
  });
});
