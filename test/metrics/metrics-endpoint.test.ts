import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import type { Clock } from '../../src/server/clock.js';
import { ServerMetrics } from '../../src/server/metrics/server-metrics.js';
import { gitRunner } from '../../src/server/services/git-source.js';
import { createServices } from '../../src/server/services/services.js';
import { jobInput, seedWorkflow } from '../../src/server/store/contract/seed-workflow.js';
import { TestApi } from '../e2e/airlock-processes.js';
import { type InProcessServices, openInProcessServices } from '../scheduler/in-process-services.js';
import { parseExposition, sampleValue, samplesOf } from './exposition-parser.js';

const metricsToken = 'metrics-token-0123456789';

/** A clock the test moves: the store counts are reused for 2 s of it. */
class ManualClock implements Clock {
  constructor(public now = 1_700_000_000_000) {}
  nowMs(): number {
    return this.now;
  }
}

interface World {
  readonly inProcess: InProcessServices;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly clock: ManualClock;
}

const worlds: World[] = [];

afterEach(async () => {
  for (const world of worlds.splice(0)) {
    await world.app.close();
    await world.inProcess.close().catch(() => undefined);
  }
});

/** The real services over SQLite, with metrics, served over HTTP on 127.0.0.1. */
async function startWorld(): Promise<World> {
  const clock = new ManualClock();
  const inProcess = await openInProcessServices({ clock, config: { metricsToken } });
  const metrics = new ServerMetrics({ version: '9.9.9-test' });
  const services = createServices(
    { ...inProcess.deps, metrics },
    gitRunner({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: inProcess.dataDir }),
  );
  const app = buildApp({
    services,
    logger: pino({ level: 'silent' }),
    shutdown: new AbortController().signal,
    metrics,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const world = { inProcess, app, url: `http://127.0.0.1:${port}`, clock };
  worlds.push(world);
  return world;
}

async function scrape(
  url: string,
  authorization = `Bearer ${metricsToken}`,
): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

describe('GET /metrics (real services over SQLite, real HTTP)', () => {
  it('answers the metrics token and admins, refuses everyone else', async () => {
    const { url } = await startWorld();
    const admin = new TestApi(url);
    await admin.bootstrap();
    const invitation = await admin.ok<{ token: string }>('POST', '/api/v1/invitations', {});
    await admin.ok('POST', '/api/v1/auth/signup', {
      username: 'dev',
      password: 'another-long-password',
      invitation: invitation.token,
    });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dev', password: 'another-long-password' }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const devToken = (await (
      await fetch(`${url}/api/v1/tokens`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'dev' }),
      })
    ).json()) as { token: string };

    const anonymous = await scrape(url, '');
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain('metrics token');
    expect(anonymous.text).not.toContain(metricsToken);
    expect((await scrape(url, 'Bearer wrong-token-wrong-token')).status).toBe(401);
    expect((await scrape(url, `Bearer ${devToken.token}`)).status).toBe(403);
    const byAdmin = await scrape(url, `Bearer ${admin.token}`);
    expect(byAdmin.status).toBe(200);
    const byToken = await scrape(url);
    expect(byToken.status).toBe(200);
    expect(byToken.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const parsed = parseExposition(byToken.text);
    expect(sampleValue(parsed, 'airlock_build_info', { version: '9.9.9-test' })).toBe(1);
    expect(sampleValue(parsed, 'airlock_store_info', { kind: 'sqlite' })).toBe(1);
    expect(sampleValue(parsed, 'airlock_process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(sampleValue(parsed, 'airlock_process_open_handles')).toBeGreaterThan(0);
    // The refused scrapes are counted like any request, under the route pattern.
    expect(
      sampleValue(parsed, 'airlock_http_requests_total', {
        method: 'GET',
        route: '/metrics',
        status_class: '4xx',
      }),
    ).toBe(3);
  });

  it('counts jobs per status and resource class from the store, reused for 2 s', async () => {
    const { inProcess, url, clock } = await startWorld();
    const store = inProcess.deps.store;
    const seed = await seedWorkflow(store);
    await store.jobs.createMany([
      jobInput(seed, 'q1', { resourceClass: 'small' }),
      jobInput(seed, 'q2', { resourceClass: 'small' }),
      jobInput(seed, 'r1', { resourceClass: 'large', status: 'running' }),
      jobInput(seed, 'b1', { resourceClass: 'large', status: 'blocked' }),
      jobInput(seed, 'h1', { type: 'approval', status: 'on_hold' }),
      jobInput(seed, 's1', { status: 'success' }),
      jobInput(seed, 'f1', { status: 'failed' }),
      jobInput(seed, 'f2', { status: 'infrastructure_fail' }),
    ]);
    const now = clock.now;
    await store.runners.create({
      id: 'online',
      name: 'online',
      tokenHash: 'h1',
      resourceClasses: ['small', 'large'],
      executors: ['docker'],
      capacity: 4,
      createdAtMs: now,
    });
    await store.runners.create({
      id: 'draining',
      name: 'draining',
      tokenHash: 'h2',
      resourceClasses: ['large'],
      executors: ['docker'],
      capacity: 2,
      drain: true,
      createdAtMs: now,
    });
    await store.runners.create({
      id: 'down',
      name: 'down',
      tokenHash: 'h3',
      resourceClasses: ['gpu'],
      executors: ['docker'],
      capacity: 8,
      createdAtMs: now - 120_000,
    });
    let parsed = parseExposition((await scrape(url)).text);
    const jobs = (status: string, rc: string): number =>
      sampleValue(parsed, 'airlock_jobs', { status, resource_class: rc });
    expect([jobs('queued', 'small'), jobs('running', 'large'), jobs('blocked', 'large')]).toEqual([
      2, 1, 1,
    ]);
    expect([jobs('queued', 'large'), jobs('running', 'small')]).toEqual([0, 0]);
    expect(jobs('on_hold', 'medium')).toBe(1);
    const finished = (status: string): number =>
      sampleValue(parsed, 'airlock_jobs_finished_total', { status });
    expect([finished('success'), finished('failed'), finished('infrastructure_fail')]).toEqual([
      1, 1, 1,
    ]);
    expect(finished('canceled')).toBe(0);
    const runners = (state: string): number => sampleValue(parsed, 'airlock_runners', { state });
    expect([runners('online'), runners('draining'), runners('down')]).toEqual([1, 1, 1]);
    expect(sampleValue(parsed, 'airlock_runner_capacity_slots', { state: 'online' })).toBe(4);
    expect(sampleValue(parsed, 'airlock_runner_capacity_slots', { state: 'draining' })).toBe(2);
    expect(sampleValue(parsed, 'airlock_runner_busy_slots')).toBe(1);

    // Within 2 s the counts are reused; after, read again.
    await store.jobs.createMany([jobInput(seed, 'q3', { resourceClass: 'small' })]);
    clock.now += 1_500;
    parsed = parseExposition((await scrape(url)).text);
    expect(jobs('queued', 'small')).toBe(2);
    clock.now += 600;
    parsed = parseExposition((await scrape(url)).text);
    expect(jobs('queued', 'small')).toBe(3);
  });

  it('keeps resource class labels bounded however many classes jobs name', async () => {
    const { inProcess, url } = await startWorld();
    const store = inProcess.deps.store;
    const seed = await seedWorkflow(store);
    await store.jobs.createMany(
      Array.from({ length: 80 }, (_, i) =>
        jobInput(seed, `j${i}`, {
          resourceClass: `class-${String(i).padStart(2, '0')}-${'x'.repeat(100)}`,
        }),
      ),
    );
    const parsed = parseExposition((await scrape(url)).text);
    const queued = samplesOf(parsed, 'airlock_jobs').filter((s) => s.labels.status === 'queued');
    const classes = queued.map((s) => s.labels.resource_class ?? '');
    expect(new Set(classes).size).toBe(51);
    expect(classes).toContain('other');
    expect(Math.max(...classes.map((c) => c.length))).toBe(64);
    expect(queued.reduce((sum, s) => sum + s.value, 0)).toBe(80);
    expect(sampleValue(parsed, 'airlock_jobs', { status: 'queued', resource_class: 'other' })).toBe(
      30,
    );
  });

  it('answers 503 with the reason in a comment when the store cannot be read', async () => {
    const { inProcess, url } = await startWorld();
    await inProcess.deps.store.close();
    const answer = await scrape(url);
    expect(answer.status).toBe(503);
    expect(answer.text.split('\n')[0]).toMatch(/^# airlock: reading the store failed: \S/);
    expect(answer.text).not.toMatch(/\n\s+at /);
    // What needs no store is still there, in valid form.
    const parsed = parseExposition(answer.text);
    expect(sampleValue(parsed, 'airlock_metrics_store_read_failures_total')).toBe(1);
    expect(sampleValue(parsed, 'airlock_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(parsed.has('airlock_jobs')).toBe(false);
  });
});
