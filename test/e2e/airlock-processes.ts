import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findFreePort } from '../services/free-port.js';
import { type ManagedProcess, startManagedProcess } from '../services/managed-process.js';
import { createScratchDir } from '../services/scratch-dir.js';

const root = resolve(import.meta.dirname, '../..');

/**
 * argv that runs the `airlock` command: from source (no build needed), or with `compiled` as
 * installed, `node bin/airlock.js` over dist/ (call `buildAirlock()` first). Compiled processes
 * start in about half the CPU time and memory, which counts when a test starts many runners.
 */
export function airlockArgv(
  args: readonly string[],
  compiled = false,
): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: compiled
      ? [join(root, 'bin/airlock.js'), ...args]
      : ['--import', 'tsx', join(root, 'src/cmd/main.ts'), ...args],
  };
}

let built: Promise<void> | undefined;

/**
 * Compiles src/ into dist/ as `npm run build` does, once per test process, but without type
 * checking (`tsc --noCheck`: seconds instead of minutes; typechecking is its own gate). A build
 * that writes no program fails.
 */
export function buildAirlock(): Promise<void> {
  built ??= new Promise<void>((resolvePromise, reject) => {
    const startedMs = Date.now();
    execFile(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(root, 'tsconfig.build.json'),
        '--noCheck',
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        const main = join(root, 'dist/cmd/main.js');
        if (existsSync(main) && statSync(main).mtimeMs >= startedMs - 1000) resolvePromise();
        else
          reject(
            new Error(
              `the build (tsc -p tsconfig.build.json) wrote no dist/cmd/main.js: ${error?.message}\n${stdout}`,
            ),
          );
      },
    );
  });
  return built;
}

export interface AirlockServer {
  readonly url: string;
  readonly dataDir: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, proc: ManagedProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitStatus())
      throw new Error(`airlock server exited during start:\n${proc.logTail(40)}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`airlock server at ${url} not ready after ${timeoutMs} ms:\n${proc.logTail(40)}`);
}

/** Starts a real `airlock server` process on a free port, without the embedded runner by default. */
export async function startAirlockServer(
  options: {
    dataDir?: string;
    databaseUrl?: string;
    args?: readonly string[];
    env?: Record<string, string>;
    port?: number;
    /** Run dist/ through bin/airlock.js (see buildAirlock) instead of the sources. */
    compiled?: boolean;
  } = {},
): Promise<AirlockServer> {
  const dataDir = options.dataDir ?? createScratchDir('airlock-server').path;
  const port = options.port ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const { command, args } = airlockArgv(
    [
      'server',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...(options.args ?? ['--no-embedded-runner']),
    ],
    options.compiled,
  );
  const proc = await startManagedProcess({
    name: 'airlock-server',
    command,
    args,
    cwd: root,
    env: {
      ...process.env,
      ...(options.databaseUrl ? { AIRLOCK_DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
    logPath: join(dataDir, `server-${Date.now()}.log`),
    stopGraceMs: 15_000,
  });
  await waitForHealth(url, proc);
  return { url, dataDir, process: proc, stop: () => proc.stop() };
}

export interface AirlockRunner {
  readonly workDir: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startAirlockRunner(options: {
  serverUrl: string;
  token: string;
  name: string;
  capacity?: number;
  resourceClasses?: readonly string[];
  workDir?: string;
  env?: Record<string, string>;
  /** Run dist/ through bin/airlock.js (see buildAirlock) instead of the sources. */
  compiled?: boolean;
}): Promise<AirlockRunner> {
  const workDir = options.workDir ?? createScratchDir(`airlock-runner-${options.name}`).path;
  const { command, args } = airlockArgv(
    [
      'runner',
      '--server',
      options.serverUrl,
      '--name',
      options.name,
      '--capacity',
      String(options.capacity ?? 1),
      '--work-dir',
      workDir,
      '--resource-class',
      ...(options.resourceClasses ?? ['medium']),
    ],
    options.compiled,
  );
  const proc = await startManagedProcess({
    name: `airlock-runner-${options.name}`,
    command,
    args,
    cwd: root,
    env: { ...process.env, AIRLOCK_TOKEN: options.token, ...options.env },
    logPath: join(workDir, 'runner.log'),
    // SIGINT cancels running jobs (their process groups are stopped) and exits: a test that
    // ends with a job still running leaves nothing behind. Drain (SIGTERM) is tested on its own.
    stopSignal: 'SIGINT',
    stopGraceMs: 15_000,
  });
  return { workDir, process: proc, stop: () => proc.stop() };
}

/** A small REST client for tests: JSON in and out, bearer token. */
export class TestApi {
  constructor(
    readonly url: string,
    public token?: string,
  ) {}

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // plain text
    }
    return { status: r.status, body: parsed as T, headers: r.headers };
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 400)
      throw new Error(`${method} ${path} -> ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Signs up the first user (admin), creates an API token and a runner registration token. */
  async bootstrap(): Promise<{ registrationToken: string }> {
    await this.ok('POST', '/api/v1/auth/signup', {
      username: 'admin',
      password: 'correct-horse-battery',
    });
    const login = await fetch(`${this.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'correct-horse-battery' }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const tokenResponse = await fetch(`${this.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e' }),
    });
    this.token = ((await tokenResponse.json()) as { token: string }).token;
    const reg = await this.ok<{ token: string }>('POST', '/api/v1/runner-tokens', {});
    return { registrationToken: reg.token };
  }

  /** Polls `probe` until it returns a value; on timeout the error shows `lastSeen()`. */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 45_000,
    lastSeen?: () => Promise<unknown>,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        const seen = lastSeen ? `; last seen: ${JSON.stringify(await lastSeen())}` : '';
        throw new Error(`timed out waiting for ${what}${seen}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A git repository with the given files, committed on `main`. */
export async function makeRepo(files: Record<string, string>): Promise<string> {
  const dir = createScratchDir('airlock-repo').path;
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@e',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@e',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return dir;
}
