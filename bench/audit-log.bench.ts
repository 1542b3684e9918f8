import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startServer } from '../src/cmd/start-server.js';
import { serverConfigSchema } from '../src/server/config.js';
import { systemCaller } from '../src/server/services/audit-caller.js';
import type { AuditEventRow } from '../src/server/store/audit-events-repository.js';
import type { Benchmark } from './benchmark.js';

const events = 100_000;
const recordsPerSample = 2_000;
const repetitions = 5;

function bulkEvent(i: number, baseMs: number): AuditEventRow {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    action: i % 3 === 0 ? 'workflow.job.finish' : 'workflow.job.start',
    occurredAtMs: baseMs + i,
    actor: { id: `runner-${i % 20}`, type: 'runner', name: `builder-${i % 20}` },
    target: { id: `job-${i}`, type: 'job', name: `test "unit", shard ${i % 8}` },
    scope: { id: 'p1', type: 'project', name: 'web' },
    payload: {
      workflow_id: 'w',
      pipeline_id: 'p',
      node_index: i % 8,
      attempt: 1,
      status: 'success',
    },
    metadata: { user_agent: 'airlock-runner/1.0' },
    version: 1,
    success: true,
    request: { id: `req-${i}`, ipAddress: '10.0.0.7' },
  };
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

export const benchmark: Benchmark = {
  name: 'Audit log: recording and CSV export (SQLite)',
  what: `A real server (SQLite, over HTTP on 127.0.0.1). Recording: ${recordsPerSample.toLocaleString('en-US')} events one after another through the audit service, as services record them (one INSERT each, awaited). Export: \`GET /api/v1/admin/audit-log?format=csv\` of ${events.toLocaleString('en-US')} events (about 45 MB of CSV), read to the end by the client; the server's resident memory growth during the download shows the export streams.`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-audit-'));
    const server = await startServer({
      config: serverConfigSchema.parse({
        dataDir: dir,
        port: 0,
        logLevel: 'silent',
        embeddedRunner: false,
      }),
      env: { PATH: process.env.PATH },
      version: 'bench',
      logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
      scheduleTriggers: false,
    });
    try {
      const { audit, deps } = server.services;
      const recordRates: number[] = [];
      for (let rep = 0; rep < repetitions; rep++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < recordsPerSample; i++) {
          await audit.record({
            action: 'workflow.job.scheduled',
            caller: systemCaller,
            target: { id: `job-${rep}-${i}`, type: 'job', name: 'build' },
            scope: { id: 'p1', type: 'project', name: 'web' },
            payload: { workflow_id: 'w', pipeline_id: 'p', node_index: 0, attempt: 1 },
          });
        }
        recordRates.push(recordsPerSample / seconds(start));
      }

      const base = Date.parse('2020-01-01T00:00:00Z');
      const rows = Array.from({ length: events }, (_, i) => bulkEvent(i, base));
      await deps.store.auditEvents.insertMany(rows);
      rows.length = 0;

      await fetch(`${server.url}/api/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'root', password: 'bench-password-1' }),
      });
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'root', password: 'bench-password-1' }),
      });
      const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const created = await fetch(`${server.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench' }),
      });
      const token = ((await created.json()) as { token: string }).token;

      const exportRates: number[] = [];
      const rssGrowth: number[] = [];
      let bytes = 0;
      for (let rep = 0; rep < repetitions; rep++) {
        const rssBefore = process.memoryUsage.rss();
        let rssPeak = rssBefore;
        const start = process.hrtime.bigint();
        const response = await fetch(
          `${server.url}/api/v1/admin/audit-log?format=csv&until=2020-01-02`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        let lines = 0;
        bytes = 0;
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          bytes += chunk.length;
          for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
          rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        }
        const s = seconds(start);
        if (lines < events + 1) throw new Error(`the export had ${lines} lines, not ${events + 1}`);
        exportRates.push(events / s);
        rssGrowth.push((rssPeak - rssBefore) / 2 ** 20);
      }
      return {
        'record one event (awaited INSERT)': {
          unit: 'events/s',
          samples: recordRates,
          better: 'higher',
          target: 1_000,
        },
        [`CSV export of ${events.toLocaleString('en-US')} events`]: {
          unit: 'events/s',
          samples: exportRates,
          better: 'higher',
          target: 20_000,
          notes: [`${(bytes / 2 ** 20).toFixed(1)} MiB of CSV per download`],
        },
        'resident memory growth during an export (server and client in one process)': {
          unit: 'MiB',
          samples: rssGrowth,
          better: 'lower',
          target: 100,
        },
      };
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
