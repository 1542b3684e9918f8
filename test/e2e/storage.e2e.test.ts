import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { finalJobStatuses } from '../../src/protocol/statuses.js';
import type { ArtifactView, TestResultsView } from '../../src/protocol/storage-api.js';
import { type PostgresService, startPostgres } from '../services/postgres.js';
import { type S3rverInstance, s3rverCredentials, startS3rver } from '../services/s3rver.js';
import { createScratchDir } from '../services/scratch-dir.js';
import {
  type RunnerWorld,
  jobLog,
  runAirlockCli,
  runPipeline,
  startRunnerWorld,
  waitForJobsToEnd,
} from './runner-world.js';

/** "Durations" of the split job's test files, in seconds (the files hold them). */
const testTimes = [20, 17, 15, 13, 11, 9, 8, 6, 5, 4, 3, 1];
const testFiles = Object.fromEntries(
  testTimes.map((t, i) => [`tests/t${String(i + 1).padStart(2, '0')}.test`, `${t}\n`]),
);

const config = `version: 2.1
jobs:
  build:
    machine: true
    steps:
      - checkout
      - restore_cache:
          keys:
            - v1-deps-{{ checksum "deps.txt" }}-{{ .Branch }}
            - v1-deps-
      - run: |
          if [ -f ~/deps/marker ]; then echo "cache-hit: $(cat ~/deps/marker)"
          else mkdir -p ~/deps/sub && echo "built-by-$CIRCLE_BUILD_NUM" > ~/deps/marker && ln -s marker ~/deps/sub-link && echo cache-miss; fi
      - save_cache:
          key: v1-deps-{{ checksum "deps.txt" }}-{{ .Branch }}
          paths: [~/deps]
      - run: mkdir -p out && echo "from build" > out/build.txt
      - persist_to_workspace: { root: ., paths: [out] }
  left:
    machine: true
    steps:
      - attach_workspace: { at: ws }
      - run: cat ws/out/build.txt && mkdir -p left && echo L > left/l.txt && echo "left wins" > left/shared.txt
      - persist_to_workspace: { root: ., paths: [left] }
  right:
    machine: true
    steps:
      - attach_workspace: { at: ws }
      - run: mkdir -p right && echo R > right/r.txt
      - persist_to_workspace: { root: ., paths: ["righ?"] }
  join:
    machine: true
    steps:
      - attach_workspace: { at: ws }
      - run: echo "joined $(cat ws/out/build.txt) $(cat ws/left/l.txt) $(cat ws/right/r.txt)"
      - run: |
          mkdir -p art/deep reports
          echo artifact-one > art/one.txt; echo artifact-two > art/deep/two.txt
          cat > reports/junit.xml <<'XML'
          <?xml version="1.0"?>
          <testsuites>
            <testsuite name="unit" file="test/unit.js">
              <testcase classname="math" name="adds" time="0.5"/>
              <testcase classname="math" name="divides" time="2.25"><failure message="expected 2 &amp; got 3">stack here</failure></testcase>
              <testcase classname="io" name="reads" file="test/io.js" time="1.0"><skipped/></testcase>
              <testcase classname="io" name="writes" time="0.1"><error message="EACCES"/></testcase>
            </testsuite>
          </testsuites>
          XML
      - store_artifacts: { path: art, destination: results }
      - store_test_results: { path: reports }
  same-a:
    machine: true
    steps:
      - run: echo a > same.txt
      - persist_to_workspace: { root: ., paths: [same.txt] }
  same-b:
    machine: true
    steps:
      - run: echo b > same.txt
      - persist_to_workspace: { root: ., paths: [same.txt] }
  same-join:
    machine: true
    steps:
      - attach_workspace: { at: ws }
  split:
    machine: true
    parallelism: 4
    steps:
      - checkout
      - run:
          name: split tests
          command: |
            airlock tests glob "tests/*.test" | airlock tests split --split-by=timings > mine.txt
            echo "node $CIRCLE_NODE_INDEX files: $(tr '\\n' ' ' < mine.txt)"
            total=0; for f in $(cat mine.txt); do total=$((total + $(cat "$f"))); done
            echo "node-share $CIRCLE_NODE_INDEX $total"
            mkdir -p reports
            { echo '<testsuites><testsuite name="s">'
              for f in $(cat mine.txt); do echo "<testcase classname=\\"c\\" name=\\"$f\\" file=\\"./$f\\" time=\\"$(cat "$f")\\"/>"; done
              echo '</testsuite></testsuites>'; } > reports/junit.xml
            echo "token is $AIRLOCK_JOB_TOKEN"
      - store_test_results: { path: reports }
workflows:
  main:
    jobs:
      - build
      - left: { requires: [build] }
      - right: { requires: [build] }
      - join: { requires: [left, right] }
      - same-a
      - same-b
      - same-join: { requires: [same-a, same-b] }
      - split
`;

async function jobsByName(
  world: RunnerWorld,
  pipelineId: string,
): Promise<Record<string, JobView[]>> {
  // Every job, each parallel copy included (they share a name), has ended.
  const list = () => world.api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipelineId}`);
  const jobs = await world.api.waitFor(
    'every job and parallel copy to end',
    async () => {
      const all = await list();
      return all.length > 0 && all.every((j) => finalJobStatuses.has(j.status)) ? all : undefined;
    },
    180_000,
    async () => (await list()).map((j) => `${j.name}/${j.nodeIndex}:${j.status}`),
  );
  const out: Record<string, JobView[]> = {};
  for (const job of jobs) out[job.name] = [...(out[job.name] ?? []), job];
  return out;
}

function only(jobs: Record<string, JobView[]>, name: string): JobView {
  const job = jobs[name]?.[0];
  if (!job) throw new Error(`no job ${name}`);
  return job;
}

async function shares(world: RunnerWorld, jobs: JobView[]): Promise<number[]> {
  const out: number[] = [];
  for (const job of jobs) {
    const log = await jobLog(world.api, job.id);
    const match = /node-share (\d+) (\d+)/.exec(log);
    if (!match)
      throw new Error(
        `no share in the log of ${job.name}/${job.nodeIndex} (${job.status}, ${JSON.stringify(job.steps ?? (await world.api.ok<JobView>('GET', `/api/v1/jobs/${job.id}`)).steps)}):\n${log}`,
      );
    out[Number(match[1])] = Number(match[2]);
  }
  return out;
}

const variants: [
  string,
  () => Promise<{ args: string[]; env: Record<string, string>; stop(): Promise<void> }>,
][] = [
  ['folder', async () => ({ args: [], env: {}, stop: async () => undefined })],
  [
    'S3 (s3rver, presigned downloads)',
    async () => {
      const s3: S3rverInstance = await startS3rver(['airlock-e2e']);
      return {
        args: ['--blob-url', s3.blobUrl('airlock-e2e', 'ci'), '--blob-presigned-downloads'],
        env: {
          AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
        },
        stop: () => s3.stop(),
      };
    },
  ],
  [
    'folder, PostgreSQL',
    async () => {
      const postgres: PostgresService = await startPostgres();
      const url = await postgres.createDatabase('e2e_storage');
      return { args: [], env: { AIRLOCK_DATABASE_URL: url }, stop: () => postgres.stop() };
    },
  ],
];

describe.each(variants)(
  'caches, workspaces, artifacts, test results and splitting: %s',
  (_name, setup) => {
    let world: RunnerWorld;
    let store: Awaited<ReturnType<typeof setup>>;
    let first: { pipeline: PipelineView; project: string };
    let firstJobs: Record<string, JobView[]>;

    beforeAll(async () => {
      store = await setup();
      world = await startRunnerWorld({
        serverArgs: [
          '--no-embedded-runner',
          '--lease-ms',
          '30000',
          '--heartbeat-interval-ms',
          '500',
          ...store.args,
        ],
        serverEnv: store.env,
        runners: [{ name: 'storage', capacity: 4 }],
      });
      first = await runPipeline(world.api, config, {
        files: { 'deps.txt': 'left-pad 1.0\n', ...testFiles },
      });
      firstJobs = await jobsByName(world, first.pipeline.id);
    }, 300_000);

    afterAll(async () => {
      await world?.stop();
      await store?.stop();
    });

    it('saves a cache on a miss, and the next pipeline restores it by key', async () => {
      const build = only(firstJobs, 'build');
      const log1 = await jobLog(world.api, build.id);
      expect(build.status, log1).toBe('success');
      expect(log1).toContain('no cache found for keys: ');
      expect(log1).toContain('cache-miss');
      expect(log1).toMatch(/Stored cache v1-deps-[A-Za-z0-9+/=]+-main/);

      const second = await world.api.ok<PipelineView>(
        'POST',
        `/api/v1/projects/${first.project}/pipelines`,
        {},
      );
      const jobs2 = await jobsByName(world, second.id);
      const build2 = only(jobs2, 'build');
      const log2 = await jobLog(world.api, build2.id);
      expect(build2.status, log2).toBe('success');
      expect(log2).toMatch(/Found a cache for key v1-deps-\S+-main: v1-deps-\S+-main/);
      expect(log2).toMatch(/cache-hit: built-by-\d+/);
      expect(log2).toContain('Skipping cache generation, cache already exists for key: v1-deps-');

      // Splitting by the timings the first pipeline stored gives balanced shares.
      const before = await shares(world, firstJobs.split ?? []);
      const after = await shares(world, jobs2.split ?? []);
      const ideal = testTimes.reduce((a, b) => a + b, 0) / 4;
      const spread = (s: number[]) => Math.max(...s) / ideal;
      // Measured: the shares of the 4 nodes by name (first run) and by timings (second run).
      console.log(
        `split shares by name: ${before.join(', ')} (max ${spread(before).toFixed(2)}x ideal); by timings: ${after.join(', ')} (max ${spread(after).toFixed(2)}x ideal)`,
      );
      expect(after.reduce((a, b) => a + b, 0)).toBe(ideal * 4);
      expect(spread(after)).toBeLessThanOrEqual(1.05);
      expect(spread(after)).toBeLessThan(spread(before));
      const splitLog = await jobLog(world.api, (jobs2.split ?? [])[0]?.id ?? '');
      expect(splitLog).not.toContain('falling back');
      expect(splitLog).toContain('token is ********');
    }, 300_000);

    it("the first run without timings falls back to names with CircleCI's message", async () => {
      const log = await jobLog(world.api, (firstJobs.split ?? [])[0]?.id ?? '');
      expect(log).toContain('Error auto-detecting timing type, falling back to weighting by name.');
      expect(firstJobs.split?.map((j) => j.status)).toEqual([
        'success',
        'success',
        'success',
        'success',
      ]);
    });

    it('passes the workspace through a fan-out and fan-in', async () => {
      for (const name of ['left', 'right', 'join'])
        expect(only(firstJobs, name).status).toBe('success');
      const log = await jobLog(world.api, only(firstJobs, 'join').id);
      expect(log).toContain('joined from build L R');
      expect(log).toMatch(/Attached 3 layer\(s\)/);
    });

    it('fails to attach when two concurrent jobs persisted the same path, naming both', async () => {
      const join = only(firstJobs, 'same-join');
      const log = await jobLog(world.api, join.id);
      expect(join.status).toBe('failed');
      expect(log).toMatch(
        /jobs same-[ab] and same-[ab] both persisted "same.txt" to the workspace/,
      );
    });

    it('lists and downloads artifacts through the API and the CLI', async () => {
      const join = only(firstJobs, 'join');
      const artifacts = await world.api.ok<ArtifactView[]>(
        'GET',
        `/api/v1/jobs/${join.id}/artifacts`,
      );
      expect(artifacts.map((a) => a.path)).toEqual(['results/deep/two.txt', 'results/one.txt']);
      const one = await fetch(`${world.server.url}${artifacts[1]?.url}`, {
        headers: { authorization: `Bearer ${world.api.token}` },
      });
      expect(await one.text()).toBe('artifact-one\n');
      const env = { AIRLOCK_SERVER: world.server.url, AIRLOCK_TOKEN: world.api.token };
      const listed = await runAirlockCli(['jobs', 'artifacts', join.id], { env });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('results/deep/two.txt');
      const dir = createScratchDir('artifacts-download').path;
      const downloaded = await runAirlockCli(['jobs', 'artifacts', join.id, '--download', dir], {
        env,
      });
      expect(downloaded.code, downloaded.stderr).toBe(0);
      expect(readdirSync(join_(dir, 'results/deep'))).toEqual(['two.txt']);
    }, 120_000);

    it('parses JUnit results: failures first, messages, files, times, slowest', async () => {
      const view = await world.api.ok<TestResultsView>(
        'GET',
        `/api/v1/jobs/${only(firstJobs, 'join').id}/tests`,
      );
      expect(view.summary).toMatchObject({ total: 4, passed: 1, failed: 1, errors: 1, skipped: 1 });
      expect(view.cases.slice(0, 2).map((c) => c.name)).toEqual(['divides', 'writes']);
      expect(view.cases[0]).toMatchObject({
        classname: 'math',
        file: 'test/unit.js',
        timeMs: 2250,
        message: 'expected 2 & got 3\nstack here',
      });
      expect(view.cases.find((c) => c.name === 'reads')?.file).toBe('test/io.js');
      expect(view.slowest[0]?.name).toBe('divides');
    });
  },
);

const join_ = (...parts: string[]): string => join(...parts);

describe('retention: airlock admin gc', () => {
  let world: RunnerWorld;
  beforeAll(async () => {
    world = await startRunnerWorld({
      serverArgs: [
        '--no-embedded-runner',
        '--lease-ms',
        '30000',
        '--heartbeat-interval-ms',
        '500',
        '--artifact-retention-days',
        '0.00003',
        '--cache-retention-days',
        '0.00003',
        '--blob-gc-interval-ms',
        '0',
      ],
      runners: [{ name: 'gc', capacity: 2 }],
    });
  }, 120_000);
  afterAll(async () => world?.stop());

  it('removes expired blobs with their records, but not one a running job uses', async () => {
    const gcConfig = `version: 2.1
jobs:
  keep:
    machine: true
    steps:
      - run: mkdir -p a && echo x > a/x.txt && mkdir -p ~/c && echo c > ~/c/f
      - store_artifacts: { path: a }
      - save_cache: { key: gc-cache, paths: [~/c] }
  uses:
    machine: true
    steps:
      - restore_cache: { key: gc-cache }
      - run: sleep 8
workflows:
  main:
    jobs: [keep, { uses: { requires: [keep] } }]
`;
    const { pipeline } = await runPipeline(world.api, gcConfig);
    const jobs = await world.api.waitFor('the uses job to run', async () => {
      const all = await world.api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
      return all.find((j) => j.name === 'uses' && j.status === 'running') ? all : undefined;
    });
    const keep = jobs.find((j) => j.name === 'keep') as JobView;
    await new Promise((r) => setTimeout(r, 3_500));
    const env = { AIRLOCK_SERVER: world.server.url, AIRLOCK_TOKEN: world.api.token };
    const blobs = join(world.server.dataDir, 'blobs');
    const files = (dir: string) =>
      existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
    const gc1 = await runAirlockCli(['admin', 'gc', '--json'], { env });
    expect(gc1.code, gc1.stderr).toBe(0);
    const r1 = JSON.parse(gc1.stdout);
    expect(r1.removedBlobs).toBe(1); // the artifact; the cache is in use
    expect(r1.keptInUse).toBe(1);
    expect(await world.api.ok('GET', `/api/v1/jobs/${keep.id}/artifacts`)).toEqual([]);
    expect(files(join(blobs, 'artifacts')).filter((f) => f.includes('/'))).toEqual([]);
    expect(files(join(blobs, 'caches')).some((f) => f.endsWith('.tar.zst'))).toBe(true);
    await waitForJobsToEnd(world.api, pipeline.id, 60_000);
    const gc2 = JSON.parse((await runAirlockCli(['admin', 'gc', '--json'], { env })).stdout);
    expect(gc2).toMatchObject({ removedBlobs: 1, keptInUse: 0 });
    expect(files(join(blobs, 'caches')).some((f) => f.endsWith('.tar.zst'))).toBe(false);
  }, 120_000);
});
