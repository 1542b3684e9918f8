import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryOutput } from '../../src/cli/output.js';
import { adminVerbCommands, roleCommands } from '../../src/cmd/role-commands.js';
import { runCli } from '../../src/cmd/run-cli.js';
import { findFreePort } from '../services/free-port.js';
import { createScratchDir } from '../services/scratch-dir.js';

async function cli(argv: string[], env: Record<string, string> = {}) {
  const output = memoryOutput();
  const code = await runCli(
    argv,
    {
      output,
      env,
      cwd: resolve(import.meta.dirname, '../..'),
      signal: new AbortController().signal,
    },
    { version: '9.9.9', roles: roleCommands('9.9.9'), adminVerbs: adminVerbCommands() },
  );
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

describe('airlock admin backup / restore: the commands', () => {
  it('lists both under admin, with help for every flag', async () => {
    const admin = await cli(['admin', '--help']);
    expect(admin.stdout).toMatch(/^ {2}backup\b/m);
    expect(admin.stdout).toMatch(/^ {2}restore\b/m);
    const backup = await cli(['admin', 'backup', '--help']);
    expect(backup.code).toBe(0);
    for (const flag of ['--out <file>', '--blobs', '--force', '--json', '--server <url>'])
      expect(backup.stdout).toMatch(new RegExp(`${flag.replace(/[<>]/g, '.')}\\s+\\S`));
    expect(backup.stdout).toContain('secret key');
    const restore = await cli(['admin', 'restore', '--help']);
    expect(restore.code).toBe(0);
    for (const flag of [
      '--force',
      '--dry-run',
      '--skip-blobs',
      '--json',
      '--config <file>',
      '--data-dir <value>',
      '--database-url <value>',
      '--secret-key-file <value>',
      '--blob-url <value>',
    ])
      expect(restore.stdout).toMatch(new RegExp(`${flag.replace(/[<>]/g, '.')}\\s+\\S`));
    expect(restore.stdout).toContain('AIRLOCK_DATABASE_URL');
  });

  it('says what is wrong with a missing file or a bad setting, without a stack trace', async () => {
    const missing = await cli(['admin', 'restore', '/nonexistent/backup.tar.gz']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'airlock: cannot read the backup file /nonexistent/backup.tar.gz',
    );
    expect(missing.stderr).toContain('hint: give the path of the .tar.gz file');
    const bad = await cli(['admin', 'restore', 'x.tar.gz', '--database-url', 'mysql://db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--database-url: a database URL starts with postgres:\/\//);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to back up without a token, and names an unreachable server', async () => {
    const dir = createScratchDir('backup-cli').path;
    const closed = `http://127.0.0.1:${await findFreePort()}`;
    const noToken = await cli([
      'admin',
      'backup',
      '--out',
      `${dir}/a.tar.gz`,
      '--server',
      'http://127.0.0.1:1',
    ]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('no API token');
    const down = await cli(['admin', 'backup', '--out', `${dir}/a.tar.gz`, '--server', closed], {
      AIRLOCK_TOKEN: 'alk_pat_x',
    });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(
      `request to ${closed}/api/v1/admin/backup (direct) failed: ECONNREFUSED`,
    );
  });
});
