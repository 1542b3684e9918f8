import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { chromiumRequirement, ensureDebianPackages } from '../services/ensure-debian-packages.js';
import { type ScratchDir, createScratchDir } from '../services/scratch-dir.js';

export const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * Builds the web UI when web/dist is missing or older than its sources (a fresh `npm ci` has
 * built it already). Under a file lock: test files run in parallel.
 */
export function ensureWebBuilt(): void {
  const check =
    '[ -f web/dist/index.html ] && [ -z "$(find web/src web/index.html web/vite.config.ts web/public -newer web/dist/index.html -print -quit)" ] || npm run build -w web';
  // Not vitest's NODE_ENV=test: that would build React's development version.
  const { NODE_ENV: _ignored, ...env } = process.env;
  execFileSync('flock', ['/tmp/airlock-web-build.lock', 'sh', '-c', check], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
}

export interface TestAirlock {
  readonly server: RunningServer;
  /** Where the browser opens the UI (the server itself, or a proxy in front of it). */
  readonly url: string;
  readonly dataDir: ScratchDir;
  stop(): Promise<void>;
}

/** A real server with its embedded runner, SQLite in a scratch folder, on 127.0.0.1:0. */
export async function startAirlock(
  options: { publicUrl?: string; port?: number } = {},
): Promise<TestAirlock> {
  const dataDir = createScratchDir('web-server');
  const config = serverConfigSchema.parse({
    dataDir: dataDir.path,
    port: options.port ?? 0,
    logLevel: 'silent',
    embeddedRunnerCapacity: 2,
    heartbeatIntervalMs: 1000,
    // Short claim polls: a runner notices new work at least this often.
    claimMaxWaitMs: 2000,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  const server = await startServer({ config, env: process.env, version: 'test' });
  return {
    server,
    url: server.url,
    dataDir,
    stop: async () => {
      await server.stop();
      dataDir.remove();
    },
  };
}

/** A CircleCI config whose build job prints lines slowly, then a hold, then a deploy. */
export const demoConfig = `version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run:
          name: Print lines slowly
          command: for i in 1 2 3 4 5 6; do echo "line $i of the build"; sleep 1; done
      - run: printf '\\033[32mgreen\\033[0m and \\033[1;31mbold red\\033[0m\\n'
  test:
    machine: true
    steps:
      - run:
          name: Run the tests
          command: |
            mkdir -p results out
            echo "tests pass"
            printf '<testsuite name="unit" tests="2" failures="1"><testcase classname="math" name="adds" time="0.25"/><testcase classname="math" name="divides" time="1.5"><failure message="expected 2, got 3">stack</failure></testcase></testsuite>' > results/junit.xml
            echo "coverage: 93%" > out/coverage.txt
      - store_test_results:
          path: results
      - store_artifacts:
          path: out
  deploy:
    machine: true
    steps:
      - run: echo "deployed"
workflows:
  build-and-deploy:
    jobs:
      - build
      - test
      - hold:
          type: approval
          requires: [build, test]
      - deploy:
          requires: [hold]
`;

/** A git repository with `.circleci/config.yml`, for a project registered by local path. */
export function createDemoRepo(config = demoConfig): ScratchDir {
  const repo = createScratchDir('web-repo');
  mkdirSync(join(repo.path, '.circleci'));
  writeFileSync(join(repo.path, '.circleci', 'config.yml'), config);
  writeFileSync(join(repo.path, 'README.md'), '# demo\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=ci@example.test', '-c', 'user.name=CI', ...args], {
      cwd: repo.path,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'demo pipeline');
  return repo;
}

/** Debian's Chromium through playwright-core (no browser download), headless, no network noise. */
export async function launchBrowser(): Promise<Browser> {
  await ensureDebianPackages([chromiumRequirement]);
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

/**
 * Where screenshots go: docs/screenshots/ when AIRLOCK_UPDATE_SCREENSHOTS=1 (to refresh the
 * README's pictures), else a scratch folder (they are still taken, so taking them is tested).
 */
export function screenshotDir(): string {
  if (process.env.AIRLOCK_UPDATE_SCREENSHOTS === '1') {
    const dir = join(repoRoot, 'docs', 'screenshots');
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  return createScratchDir('web-screenshots').path;
}
