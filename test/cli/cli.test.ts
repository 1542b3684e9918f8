import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryOutput } from '../../src/cli/output.js';
import { roleCommands } from '../../src/cmd/role-commands.js';
import { runCli } from '../../src/cmd/run-cli.js';

const root = resolve(import.meta.dirname, '../..');

async function cli(argv: string[], env: Record<string, string> = {}) {
  const output = memoryOutput();
  const code = await runCli(
    argv,
    { output, env, cwd: root, signal: new AbortController().signal },
    { version: '9.9.9', roles: roleCommands('9.9.9') },
  );
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

describe('the airlock command', () => {
  it('lists every noun and role that DESIGN.md names', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const noun of [
      'server',
      'runner',
      'run',
      'config',
      'proxy',
      'nodes',
      'jobs',
      'pipelines',
      'admin',
      'tls',
      'tests',
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${noun}\\b`, 'm'));
    }
  });

  it('prints its version', async () => {
    expect((await cli(['--version'])).stdout).toBe('9.9.9');
  });

  it.each([
    ['config', ['validate', 'process', 'plan']],
    ['proxy', ['route', 'render', 'lint', 'doctor']],
    ['nodes', ['list', 'drain']],
    ['jobs', ['list', 'logs', 'approve', 'artifacts']],
  ])('has help for the %s noun and each of its verbs', async (noun, verbs) => {
    const nounHelp = await cli([noun, '--help']);
    expect(nounHelp.code).toBe(0);
    for (const verb of verbs) {
      expect(nounHelp.stdout).toContain(verb);
      const verbHelp = await cli([noun, verb, '--help']);
      expect(verbHelp.code).toBe(0);
      expect(verbHelp.stdout).toMatch(new RegExp(`Usage: airlock ${noun} ${verb}`));
    }
  });

  it('rejects an unknown flag with exit 2 and suggests the right one', async () => {
    const { code, stderr } = await cli(['jobs', 'list', '--stauts', 'queued']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--stauts'");
    expect(stderr).toContain('Did you mean --status?');
  });

  it('rejects an unknown command and suggests the right one', async () => {
    const { code, stderr } = await cli(['nodes', 'lsit']);
    expect(code).toBe(2);
    expect(stderr).toContain('Did you mean list?');
  });

  it('says clearly when no API token is set, without a stack trace', async () => {
    const { code, stderr } = await cli(['jobs', 'list', '--server', 'http://127.0.0.1:1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no API token: set AIRLOCK_TOKEN/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unreachable server with the URL redacted', async () => {
    const { code, stderr } = await cli(
      ['nodes', 'list', '--server', 'http://user:pw@127.0.0.1:1'],
      { AIRLOCK_TOKEN: 'alk_pat_x' },
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(/127\.0\.0\.1:1/);
    expect(stderr).not.toContain(':pw@');
  });

  it('rejects bad server settings naming their source', async () => {
    const { code, stderr } = await cli(['server', '--port', 'eighty'], {});
    expect(code).toBe(2);
    expect(stderr).toMatch(/--port: Expected number/);
  });

  it('runs as the package bin (built program)', () => {
    if (!existsSync(resolve(root, 'dist/cmd/main.js')))
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const result = spawnSync(process.execPath, [resolve(root, 'bin/airlock.js'), '--help'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: airlock');
  });
});
