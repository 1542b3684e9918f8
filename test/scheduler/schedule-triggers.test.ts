import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitRunner } from '../../src/server/services/git-source.js';
import { ScheduleService } from '../../src/server/services/schedule-service.js';
import type { PipelineRow } from '../../src/server/store/pipelines-repository.js';
import { makeRepo } from '../e2e/airlock-processes.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type InProcessServices, openInProcessServices } from './in-process-services.js';

const config = `version: 2.1
jobs:
  nightly:
    machine: true
    steps:
      - run: echo nightly
  build:
    machine: true
    steps:
      - run: echo build
workflows:
  nightly:
    triggers:
      - schedule:
          cron: "0 3 * * *"
          filters:
            branches:
              only: [main, /release\\/.*/, gone]
    jobs: [nightly]
  commit:
    jobs: [build]
`;

/** The same config with one more schedule: committed on a branch that is not the default one. */
const branchOnlyConfig = config.replace(
  '  commit:\n',
  `  every-minute:
    triggers:
      - schedule:
          cron: "* * * * *"
          filters:
            branches:
              only: [main]
    jobs: [build]
  commit:
`,
);

function git(dir: string, ...args: string[]): void {
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
}

const at = (iso: string): number => Date.parse(iso);

describe('schedule triggers (ScheduleService over SQLite, a real git repository, a driven clock)', () => {
  let now: number;
  let env: InProcessServices;
  let repo: string;

  beforeEach(async () => {
    now = at('2026-03-02T02:58:10Z');
    env = await openInProcessServices({ clock: { nowMs: () => now } });
    repo = await makeRepo({ '.circleci/config.yml': config });
    git(repo, 'branch', 'release/1.0');
    git(repo, 'branch', 'release/2.0');
    git(repo, 'checkout', '-q', '-b', 'feature/x');
    writeFileSync(join(repo, '.circleci/config.yml'), branchOnlyConfig);
    git(repo, 'commit', '-q', '-am', 'a schedule only on this branch');
    git(repo, 'checkout', '-q', 'main');
    await env.services.projects.create({
      name: 'app',
      localPath: repo,
      defaultBranch: 'main',
      configPath: '.circleci/config.yml',
    });
  });

  afterEach(async () => {
    await env.close();
  });

  const pipelines = async (): Promise<PipelineRow[]> =>
    [...(await env.deps.store.pipelines.list({ limit: 100 }))].sort((a, b) =>
      (a.branch ?? '').localeCompare(b.branch ?? ''),
    );

  it('fires at the cron slot (UTC) for each branch the filter names, running only the scheduled workflow', async () => {
    const schedules = env.services.schedules;
    expect(await schedules.tick()).toEqual([]);
    now = at('2026-03-02T02:59:59.900Z');
    expect(await schedules.tick()).toEqual([]);
    now = at('2026-03-02T03:00:00.030Z');
    const fired = await schedules.tick();
    expect(fired.map((f) => [f.branch, f.workflow, new Date(f.slotMs).toISOString()])).toEqual([
      ['main', 'nightly', '2026-03-02T03:00:00.000Z'],
      ['release/1.0', 'nightly', '2026-03-02T03:00:00.000Z'],
      ['release/2.0', 'nightly', '2026-03-02T03:00:00.000Z'],
    ]);
    expect(fired.every((f) => f.error === undefined)).toBe(true);

    const created = await pipelines();
    expect(created.map((p) => [p.branch, p.triggerSource, p.status])).toEqual([
      ['main', 'schedule', 'running'],
      ['release/1.0', 'schedule', 'running'],
      ['release/2.0', 'schedule', 'running'],
    ]);
    for (const p of created) {
      const workflows = await env.deps.store.workflows.listByPipeline(p.id);
      expect(workflows.map((w) => w.name)).toEqual(['nightly']);
      const jobs = await env.deps.store.jobs.listByPipeline(p.id);
      expect(jobs.map((j) => [j.name, j.status])).toEqual([['nightly', 'queued']]);
    }

    // Later in the same minute and through the rest of the day: nothing more.
    now = at('2026-03-02T03:00:40Z');
    expect(await schedules.tick()).toEqual([]);
    now = at('2026-03-03T02:59:00Z');
    expect(await schedules.tick()).toEqual([]);
    // The next day's slot fires again.
    now = at('2026-03-03T03:00:00.020Z');
    expect((await schedules.tick()).map((f) => f.branch)).toEqual([
      'main',
      'release/1.0',
      'release/2.0',
    ]);
    expect(await pipelines()).toHaveLength(6);
  });

  it('fires a slot once across server replicas sharing the store', async () => {
    const replica = new ScheduleService(
      env.deps,
      env.services.pipelines,
      gitRunner({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.dataDir }),
    );
    await Promise.all([env.services.schedules.tick(), replica.tick()]);
    now = at('2026-03-02T03:00:00.050Z');
    const [a, b] = await Promise.all([env.services.schedules.tick(), replica.tick()]);
    expect([...(a ?? []), ...(b ?? [])].map((f) => f.branch).sort()).toEqual([
      'main',
      'release/1.0',
      'release/2.0',
    ]);
    expect((await pipelines()).map((p) => p.branch)).toEqual([
      'main',
      'release/1.0',
      'release/2.0',
    ]);
  });

  it('after a stall across several slots, fires the latest one once', async () => {
    await env.services.schedules.tick();
    now = at('2026-03-05T12:00:00Z');
    const fired = await env.services.schedules.tick();
    expect(fired.map((f) => new Date(f.slotMs).toISOString())).toEqual([
      '2026-03-05T03:00:00.000Z',
      '2026-03-05T03:00:00.000Z',
      '2026-03-05T03:00:00.000Z',
    ]);
  });

  it('reads schedules from the default branch only, and follows new commits on it', async () => {
    const schedules = env.services.schedules;
    await schedules.tick();
    now = at('2026-03-02T02:59:00.010Z');
    // feature/x has an every-minute schedule; main does not: nothing fires.
    expect(await schedules.tick()).toEqual([]);
    git(repo, 'merge', '-q', '--ff-only', 'feature/x');
    now = at('2026-03-02T02:59:30Z');
    await schedules.tick();
    now = at('2026-03-02T03:00:00.010Z');
    const fired = await schedules.tick();
    expect(fired.map((f) => `${f.workflow}@${f.branch}`).sort()).toEqual([
      'every-minute@main',
      'nightly@main',
      'nightly@release/1.0',
      'nightly@release/2.0',
    ]);
    const everyMinute = fired.find((f) => f.workflow === 'every-minute');
    const workflows = await env.deps.store.workflows.listByPipeline(everyMinute?.pipelineId ?? '');
    expect(workflows.map((w) => w.name)).toEqual(['every-minute']);
  });

  it('keeps firing for the other projects when one cannot be read', async () => {
    const gone = createScratchDir('gone-repo');
    const broken = await makeRepo({ '.circleci/config.yml': config });
    await env.services.projects.create({
      name: 'vanished',
      localPath: gone.path,
      defaultBranch: 'main',
      configPath: '.circleci/config.yml',
    });
    await env.services.projects.create({
      name: 'broken',
      localPath: broken,
      defaultBranch: 'main',
      configPath: '.circleci/config.yml',
    });
    gone.remove();
    writeFileSync(join(broken, '.circleci/config.yml'), 'version: 2.1\nworkflows: [oops\n');
    git(broken, 'commit', '-q', '-am', 'break the config');
    await env.services.schedules.tick();
    now = at('2026-03-02T03:00:00.010Z');
    const fired = await env.services.schedules.tick();
    const projectIds = new Set(fired.map((f) => f.projectId));
    expect(projectIds.size).toBe(1);
    expect(fired).toHaveLength(3);
  });
});
