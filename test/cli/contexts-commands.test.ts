import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, memoryOutput } from '../../src/cli/output.js';
import { runCli } from '../../src/cmd/run-cli.js';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import type { ContextView } from '../../src/protocol/contexts-api.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { airlockArgv } from '../e2e/airlock-processes.js';
import { createScratchDir } from '../services/scratch-dir.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });
const root = join(import.meta.dirname, '../..');

describe('airlock contexts list|create|delete|set-var|unset-var (real server over HTTP)', () => {
  let server: RunningServer;
  let dir: string;
  let adminToken: string;
  let userToken: string;

  async function tokenFor(username: string, password: string): Promise<string> {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli' }),
    });
    return ((await created.json()) as { token: string }).token;
  }

  async function post(path: string, token: string | undefined, body: unknown): Promise<unknown> {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  async function airlock(
    argv: string[],
    options: { stdin?: string; token?: string; server?: string } = {},
  ) {
    const output = memoryOutput();
    const ctx: CliContext = {
      output,
      env: {
        AIRLOCK_SERVER: options.server ?? server.url,
        AIRLOCK_TOKEN: options.token ?? adminToken,
      },
      cwd: dir,
      signal: new AbortController().signal,
      readStdin: async () => options.stdin ?? '',
    };
    const code = await runCli(['contexts', ...argv], ctx, { version: '0.0.0-test' });
    return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
  }

  /** What a job naming these contexts would get (the values never come back through the API). */
  async function jobEnv(...names: string[]): Promise<Record<string, string>> {
    const resolved = await server.services.contexts.resolveForJob(names);
    if (!resolved.ok) throw new Error(`missing contexts ${resolved.missing.join(', ')}`);
    return resolved.env;
  }

  beforeAll(async () => {
    dir = createScratchDir('contexts-cli-test').path;
    server = await startServer({
      config: serverConfigSchema.parse({
        dataDir: dir,
        port: 0,
        logLevel: 'silent',
        embeddedRunner: false,
        rateLimitBurst: 1000,
      }),
      env: { PATH: process.env.PATH },
      version: 'test',
      logDestination: silent,
      scheduleTriggers: false,
    });
    await post('/api/v1/auth/signup', undefined, { username: 'root', password: 'root-password' });
    adminToken = await tokenFor('root', 'root-password');
    const { token } = (await post('/api/v1/invitations', adminToken, {})) as { token: string };
    await post('/api/v1/auth/signup', undefined, {
      username: 'dev',
      password: 'dev-password',
      invitation: token,
    });
    userToken = await tokenFor('dev', 'dev-password');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('has help for the noun and each verb', async () => {
    const noun = await airlock(['--help']);
    expect(noun.code).toBe(0);
    for (const verb of ['list', 'create', 'delete', 'set-var', 'unset-var']) {
      expect(noun.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
      const help = await airlock([verb, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: airlock contexts ${verb}`);
    }
    expect((await airlock(['set-var', '--help'])).stdout).toContain('--value-file <file>');
  });

  it('creates a context, sets variables from stdin and a file without echoing them, lists names', async () => {
    const created = await airlock(['create', 'aws-prod']);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain('created context aws-prod');

    const piped = await airlock(['set-var', 'aws-prod', 'AWS_SECRET'], {
      stdin: 'piped-secret-value\n',
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe('set AWS_SECRET in context aws-prod');
    expect(piped.stdout + piped.stderr).not.toContain('piped-secret-value');

    writeFileSync(join(dir, 'key.pem'), 'line one\nline two\n\n');
    const fromFile = await airlock(['set-var', 'aws-prod', 'PEM', '--value-file', 'key.pem'], {
      stdin: 'ignored because of --value-file',
    });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout + fromFile.stderr).not.toContain('line one');
    // One final newline is dropped; everything else is kept as it was.
    expect(await jobEnv('aws-prod')).toEqual({
      AWS_SECRET: 'piped-secret-value',
      PEM: 'line one\nline two\n',
    });

    const table = await airlock(['list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+CREATED\s+CREATED BY\s+VARIABLES$/);
    expect(table.stdout).toMatch(/^aws-prod\s+\S+\s+root\s+AWS_SECRET,PEM$/m);
    expect(table.stdout).not.toContain('piped-secret-value');

    const json = await airlock(['list', '--json']);
    const rows = json.stdout.split('\n').map((l) => JSON.parse(l) as ContextView);
    expect(rows.map((r) => [r.name, r.variables.map((v) => v.name)])).toEqual([
      ['aws-prod', ['AWS_SECRET', 'PEM']],
    ]);
  });

  it('replaces a value, removes a variable, and says when there is none to remove', async () => {
    await airlock(['create', 'swap']);
    await airlock(['set-var', 'swap', 'TOKEN'], { stdin: 'first-value' });
    await airlock(['set-var', 'swap', 'TOKEN'], { stdin: 'second-value' });
    expect(await jobEnv('swap')).toEqual({ TOKEN: 'second-value' });
    const removed = await airlock(['unset-var', 'swap', 'TOKEN']);
    expect([removed.code, removed.stdout]).toEqual([0, 'removed TOKEN from context swap']);
    expect(await jobEnv('swap')).toEqual({});
    const again = await airlock(['unset-var', 'swap', 'TOKEN']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('context "swap" has no variable TOKEN');
  });

  it('deletes a context only with --yes', async () => {
    await airlock(['create', 'doomed']);
    const unconfirmed = await airlock(['delete', 'doomed']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('add --yes to confirm');
    expect((await airlock(['list'])).stdout).toMatch(/^doomed\b/m);
    const deleted = await airlock(['delete', 'doomed', '--yes']);
    expect([deleted.code, deleted.stdout]).toEqual([0, 'deleted context doomed']);
    expect((await airlock(['list'])).stdout).not.toMatch(/^doomed\b/m);
  });

  it.each([
    [['create', 'aws prod'], /invalid context name "aws prod": a context name is letters/],
    [['create', '..'], /invalid context name "\.\.": a context name cannot be only dots/],
    [['set-var', 'ok', '9LIVES'], /invalid variable name "9LIVES": an environment variable name/],
    [['unset-var', 'b@d', 'X'], /invalid context name "b@d"/],
    [['delete', 'a/b', '--yes'], /invalid context name "a\/b"/],
  ])('refuses %j with exit 2 before contacting the server', async (argv, message) => {
    // An unreachable server: a request would be exit 3, not 2.
    const result = await airlock(argv, { server: 'http://127.0.0.1:1', stdin: 'v' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an empty value and an unreadable value file with exit 2', async () => {
    await airlock(['create', 'empty']);
    const empty = await airlock(['set-var', 'empty', 'X'], { stdin: '\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the value for X is empty');
    const missing = await airlock(['set-var', 'empty', 'X', '--value-file', 'nope.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read --value-file ${join(dir, 'nope.txt')}`);
  });

  it('tells a non-admin that only an admin may change contexts, and lets them list', async () => {
    const refused = await airlock(['create', 'mine'], { token: userToken });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('only an admin can create, change or delete contexts');
    const setVar = await airlock(['set-var', 'aws-prod', 'X'], {
      token: userToken,
      stdin: 'user-value',
    });
    expect(setVar.code).toBe(1);
    expect(setVar.stderr).not.toContain('user-value');
    expect((await airlock(['list'], { token: userToken })).code).toBe(0);
  });

  it('says how to create a context that does not exist', async () => {
    const result = await airlock(['set-var', 'nowhere', 'X'], { stdin: 'value' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no context named "nowhere"');
    expect(result.stderr).toContain('hint: create it with `airlock contexts create nowhere`');
  });

  it('reads the value from a real pipe when run as a process', async () => {
    await airlock(['create', 'piped']);
    const { command, args } = airlockArgv(['contexts', 'set-var', 'piped', 'FROM_PIPE']);
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, AIRLOCK_SERVER: server.url, AIRLOCK_TOKEN: adminToken },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stdin.end('value-through-a-pipe\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, output.trim()]).toEqual([0, 'set FROM_PIPE in context piped']);
    expect(await jobEnv('piped')).toEqual({ FROM_PIPE: 'value-through-a-pipe' });
  }, 60_000);
});
