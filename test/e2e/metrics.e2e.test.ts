import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeView } from '../../src/protocol/rest-api.js';
import {
  type Exposition,
  parseExposition,
  sampleValue,
  samplesOf,
} from '../metrics/exposition-parser.js';
import {
  type PrometheusService,
  promtoolCheckMetrics,
  startPrometheus,
} from '../services/prometheus.js';
import { createScratchDir } from '../services/scratch-dir.js';
import {
  type RunnerWorld,
  jobLog,
  runPipeline,
  startRunnerWorld,
  waitForJobsToEnd,
} from './runner-world.js';

const metricsToken = `mt-${randomBytes(16).toString('hex')}`;

/** Jobs `a` and `b` wait for a file; `c` needs both. One runner slot: one runs, one queues. */
const gatedPipeline = (flag: string): string => `version: 2.1
jobs:
  a:
    machine: true
    steps:
      - run: echo a-started; while [ ! -f ${flag} ]; do sleep 0.1; done; echo a-done
  b:
    machine: true
    steps:
      - run: echo b-started; while [ ! -f ${flag} ]; do sleep 0.1; done; echo b-done
  c:
    machine: true
    steps:
      - run: echo c-done
workflows:
  main:
    jobs:
      - a
      - b
      - c:
          requires: [a, b]
`;

describe(
  'GET /metrics (real server, runner and Prometheus processes, SQLite)',
  { timeout: 240_000 },
  () => {
    let world: RunnerWorld;
    let prometheus: PrometheusService | undefined;
    const scratch = createScratchDir('metrics-e2e');

    beforeAll(async () => {
      world = await startRunnerWorld({
        serverArgs: [
          '--no-embedded-runner',
          '--lease-ms',
          '5000',
          '--heartbeat-interval-ms',
          '500',
          '--claim-max-wait-ms',
          '2000',
          '--rate-limit-burst',
          '60',
          '--rate-limit-per-second',
          '20',
        ],
        serverEnv: { AIRLOCK_METRICS_TOKEN: metricsToken },
        runners: [{ name: 'm1', capacity: 1, resourceClasses: ['medium'] }],
      });
      await world.api.waitFor('runner m1 to register', async () => {
        const nodes = await world.api.ok<NodeView[]>('GET', '/api/v1/nodes');
        return nodes.some((n) => n.name === 'm1') ? true : undefined;
      });
    });

    afterAll(async () => {
      await prometheus?.stop();
      await world?.stop();
      scratch.remove();
    });

    const scrapeRaw = async (authorization?: string): Promise<{ status: number; text: string }> => {
      const r = await fetch(`${world.server.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      return { status: r.status, text: await r.text() };
    };
    const scrape = async (): Promise<Exposition> => {
      const { status, text } = await scrapeRaw(`Bearer ${metricsToken}`);
      expect(status).toBe(200);
      return parseExposition(text);
    };
    /** Scrapes until `check` holds (store counts are up to 2 s old, finished totals 10 s). */
    const eventually = (what: string, check: (m: Exposition) => boolean): Promise<Exposition> => {
      let last = '';
      return world.api.waitFor(
        what,
        async () => {
          const m = await scrape();
          last = [...m.values()]
            .filter((f) => /^airlock_(jobs|runners|runner_|claim)/.test(f.name))
            .flatMap((f) => f.samples.map((s) => `${s.name}${JSON.stringify(s.labels)}=${s.value}`))
            .join('\n');
          return check(m) ? m : undefined;
        },
        30_000,
        async () => last,
      );
    };
    /** Jobs of class medium in `status`; 0 while the class has no series yet. */
    const jobs = (m: Exposition, status: string): number =>
      samplesOf(m, 'airlock_jobs').find(
        (s) => s.labels.status === status && s.labels.resource_class === 'medium',
      )?.value ?? 0;

    it('refuses scrapes without the token; the exposition is valid for promtool', async () => {
      expect((await scrapeRaw()).status).toBe(401);
      expect((await scrapeRaw('Bearer not-the-metrics-token')).status).toBe(401);
      expect((await scrapeRaw(`Bearer ${world.api.token}`)).status).toBe(200);
      const { status, text } = await scrapeRaw(`Bearer ${metricsToken}`);
      expect(status).toBe(200);
      parseExposition(text);
      expect(await promtoolCheckMetrics(text)).toBe('');
      const m = parseExposition(text);
      expect(sampleValue(m, 'airlock_store_info', { kind: 'sqlite' })).toBe(1);
      expect(sampleValue(m, 'airlock_build_info')).toBe(1);
    });

    it('follows jobs from blocked and queued to running to finished, with their timings', async () => {
      const flag = join(scratch.path, 'go');
      const { pipeline } = await runPipeline(world.api, gatedPipeline(flag));
      let m = await eventually(
        'one job running, one queued, one blocked',
        (x) => jobs(x, 'running') === 1 && jobs(x, 'queued') === 1 && jobs(x, 'blocked') === 1,
      );
      expect(sampleValue(m, 'airlock_runner_busy_slots')).toBe(1);
      expect(sampleValue(m, 'airlock_runners', { state: 'online' })).toBe(1);
      expect(sampleValue(m, 'airlock_runner_capacity_slots', { state: 'online' })).toBe(1);
      const before = sampleValue(m, 'airlock_jobs_finished_total', { status: 'success' });

      writeFileSync(flag, '');
      const ended = await waitForJobsToEnd(world.api, pipeline.id);
      expect(Object.values(ended).map((j) => j.status)).toEqual(['success', 'success', 'success']);
      expect(await jobLog(world.api, ended.a!.id)).toContain('a-done');
      m = await eventually(
        'three more successes and nothing left',
        (x) =>
          sampleValue(x, 'airlock_jobs_finished_total', { status: 'success' }) === before + 3 &&
          jobs(x, 'running') + jobs(x, 'queued') + jobs(x, 'blocked') === 0,
      );
      expect(sampleValue(m, 'airlock_job_queue_seconds_count', { resource_class: 'medium' })).toBe(
        3,
      );
      expect(
        sampleValue(m, 'airlock_job_duration_seconds_count', { resource_class: 'medium' }),
      ).toBe(3);
      // b waited in the queue for a to end: at least one queue time is above zero.
      expect(
        sampleValue(m, 'airlock_job_queue_seconds_sum', { resource_class: 'medium' }),
      ).toBeGreaterThan(0);
      expect(sampleValue(m, 'airlock_log_bytes_stored_total')).toBeGreaterThanOrEqual(
        'a-started\na-done\nb-started\nb-done\nc-done\n'.length,
      );
      expect(sampleValue(m, 'airlock_log_requests_total', { kind: 'append' })).toBeGreaterThan(0);
      expect(sampleValue(m, 'airlock_log_requests_total', { kind: 'read' })).toBeGreaterThan(0);
      expect(
        sampleValue(m, 'airlock_http_requests_total', {
          method: 'POST',
          route: '/api/runner/v1/claim',
          status_class: '2xx',
        }),
      ).toBeGreaterThan(0);
      // The idle runner's one slot is a parked long-poll.
      await eventually(
        'the idle runner long-polling',
        (x) => sampleValue(x, 'airlock_claim_long_polls_waiting') === 1,
      );
      expect(existsSync(flag)).toBe(true);
    });

    it('shows a drained runner as draining, and online again when the drain is lifted', async () => {
      const nodes = await world.api.ok<NodeView[]>('GET', '/api/v1/nodes');
      const node = nodes.find((n) => n.name === 'm1');
      if (!node) throw new Error(`no node m1 in ${JSON.stringify(nodes)}`);
      await world.api.ok('POST', `/api/v1/nodes/${node.id}/drain`, { drain: true });
      const m = await eventually(
        'the runner draining',
        (x) =>
          sampleValue(x, 'airlock_runners', { state: 'draining' }) === 1 &&
          sampleValue(x, 'airlock_runners', { state: 'online' }) === 0,
      );
      expect(sampleValue(m, 'airlock_runner_capacity_slots', { state: 'draining' })).toBe(1);
      expect(sampleValue(m, 'airlock_runner_capacity_slots', { state: 'online' })).toBe(0);
      await world.api.ok('POST', `/api/v1/nodes/${node.id}/drain`, { drain: false });
      await eventually(
        'the runner online',
        (x) => sampleValue(x, 'airlock_runners', { state: 'online' }) === 1,
      );
    });

    it('counts a 404 and 429s under their route pattern; labels never carry URLs', async () => {
      const marker = `zz${randomBytes(6).toString('hex')}`;
      const before = await scrape();
      const count = (m: Exposition, labels: Record<string, string>): number =>
        samplesOf(m, 'airlock_http_requests_total')
          .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
          .reduce((sum, s) => sum + s.value, 0);
      const jobRoute = { route: '/api/v1/jobs/:id', status_class: '4xx' };

      const missing = await world.api.call('GET', `/api/v1/jobs/${marker}-missing`);
      expect(missing.status).toBe(404);
      // Another token's budget (60, then 20/s): a fast burst of 120 is partly refused.
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 120 }, async (_, i) => {
          const r = await fetch(`${world.server.url}/api/v1/jobs/${marker}-${i}`, {
            headers: { authorization: `Bearer ${marker}-unknown-token` },
          });
          await r.arrayBuffer();
          statuses.push(r.status);
        }),
      );
      const limited = statuses.filter((s) => s === 429).length;
      expect(limited).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 429).every((s) => s === 401)).toBe(true);
      // Paths no route knows, and one that only the web UI's catch-all takes.
      for (let i = 0; i < 20; i++) {
        await fetch(`${world.server.url}/${marker}/${i}`, { method: 'POST' }).then((r) =>
          r.arrayBuffer(),
        );
        await fetch(`${world.server.url}/${marker}/page-${i}`).then((r) => r.arrayBuffer());
      }

      const { text } = await scrapeRaw(`Bearer ${metricsToken}`);
      const after = parseExposition(text);
      expect(count(after, jobRoute) - count(before, jobRoute)).toBe(121);
      const rateLimited = (m: Exposition): number =>
        samplesOf(m, 'airlock_http_rate_limited_total')
          .filter((s) => s.labels.route === '/api/v1/jobs/:id')
          .reduce((sum, s) => sum + s.value, 0);
      expect(rateLimited(after) - rateLimited(before)).toBe(limited);
      expect(count(after, { method: 'POST', route: 'unmatched' })).toBeGreaterThanOrEqual(20);
      expect(text).not.toContain(marker);
      const routes = new Set(
        [...after.values()].flatMap((f) => f.samples.map((s) => s.labels.route)).filter(Boolean),
      );
      expect(routes.size).toBeLessThan(30);
      for (const route of routes) expect(route).toMatch(/^(\/[a-z0-9:*/.-]*|unmatched)$/);
      const values = [...after.values()].flatMap((f) =>
        f.samples.flatMap((s) => Object.values(s.labels)),
      );
      expect(Math.max(...values.map((v) => v.length))).toBeLessThanOrEqual(64);
    });

    it('a real Prometheus scrapes it with the token, and not without', async () => {
      const metricsUrl = `${world.server.url}/metrics`;
      prometheus = await startPrometheus({
        targets: [{ metricsUrl, bearerToken: metricsToken }, { metricsUrl }],
      });
      const running = prometheus;
      const targets = await world.api.waitFor('both targets scraped', async () => {
        const t = await running.targets();
        return t.length === 2 && t.every((x) => x.health !== 'unknown') ? t : undefined;
      });
      expect(targets.map((t) => t.health).sort()).toEqual(['down', 'up']);
      expect(targets.find((t) => t.health === 'down')?.lastError).toMatch(/401/);
      const finished = await world.api.waitFor('the finished jobs in Prometheus', async () => {
        const r = await running.query('airlock_jobs_finished_total{status="success"}');
        return r.length === 1 ? r : undefined;
      });
      expect(finished[0]?.value).toBeGreaterThanOrEqual(3);
      const queue = await running.query(
        'sum by (resource_class) (airlock_job_queue_seconds_count)',
      );
      expect(queue).toEqual([{ labels: { resource_class: 'medium' }, value: 3 }]);
      const online = await running.query('airlock_runners{state="online"}');
      expect(online.map((r) => r.value)).toEqual([1]);
    });
  },
);
