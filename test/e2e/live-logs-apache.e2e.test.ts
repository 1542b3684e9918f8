import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuditLogPage } from '../../src/protocol/audit-api.js';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { type ApacheService, startApache } from '../services/apache.js';
import { findFreePort } from '../services/free-port.js';
import {
  type AirlockRunner,
  type AirlockServer,
  TestApi,
  makeRepo,
  startAirlockRunner,
  startAirlockServer,
} from './airlock-processes.js';

// The server behind Apache httpd under /ci/, as docs/server.md configures it: mod_proxy_http
// with `upgrade=websocket flushpackets=on`. The SSE log must reach the client while the job
// still runs (no buffering), and the WebSocket must upgrade through Apache.
const config = `version: 2.1
jobs:
  talk:
    machine: true
    steps:
      - run: echo first-line; sleep 4; echo second-line
workflows:
  main:
    jobs: [talk]
`;

describe('live logs through a real Apache httpd under /ci/', () => {
  let server: AirlockServer;
  let runner: AirlockRunner;
  let apache: ApacheService;
  /** Straight to the server (setup, status checks). */
  const api = new TestApi('');
  /** Through Apache: `http://127.0.0.1:PORT/ci`. */
  let proxied: string;

  beforeAll(async () => {
    // Apache first (it does not contact its upstream until a request comes), so the server can
    // be started with Apache's URL as its public URL.
    const serverPort = await findFreePort();
    apache = await startApache({ upstream: `http://127.0.0.1:${serverPort}/`, pathPrefix: '/ci/' });
    proxied = `${apache.url}/ci`;
    server = await startAirlockServer({
      port: serverPort,
      args: [
        '--no-embedded-runner',
        '--public-url',
        `${apache.url}/ci/`,
        '--trusted-proxies',
        '127.0.0.1',
      ],
    });
    (api as { url: string }).url = server.url;
    const { registrationToken } = await api.bootstrap();
    // The runner reaches the server directly, as the docs recommend.
    runner = await startAirlockRunner({
      serverUrl: server.url,
      token: registrationToken,
      name: 'live-apache',
    });
  });

  afterAll(async () => {
    await apache?.stop();
    await runner?.stop();
    await server?.stop();
  });

  const startJob = async (project: string): Promise<string> => {
    const repo = await makeRepo({ '.circleci/config.yml': config });
    await api.ok('POST', '/api/v1/projects', { name: project, localPath: repo });
    const pipeline = await api.ok<PipelineView>(
      'POST',
      `/api/v1/projects/${project}/pipelines`,
      {},
    );
    const jobs = await api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
    const id = jobs[0]?.id;
    if (!id) throw new Error('no job');
    return id;
  };

  const status = async (jobId: string): Promise<string> =>
    (await api.ok<JobView>('GET', `/api/v1/jobs/${jobId}`)).status;

  it('streams SSE through Apache while the job runs, then ends with the status', async () => {
    const jobId = await startJob('sse');
    const response = await fetch(`${proxied}/api/v1/jobs/${jobId}/log/stream`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(response.headers.get('content-encoding')).toBeNull();
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let statusAtFirstLine = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!statusAtFirstLine && text.includes('first-line'))
        statusAtFirstLine = await status(jobId);
      if (text.includes('event: end')) break;
    }
    await reader.cancel();
    expect(statusAtFirstLine).toBe('running');
    expect(text).toContain('second-line');
    expect(text).toMatch(/event: end\ndata: \{"status":"success"\}/);
  });

  it('streams over a WebSocket upgraded through Apache', async () => {
    const jobId = await startJob('ws');
    const ws = new WebSocket(`${proxied.replace('http', 'ws')}/api/v1/jobs/${jobId}/log/ws`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    const messages: { type: string; data?: string; status?: string }[] = [];
    let statusAtFirstLine = '';
    let upgraded = false;
    ws.on('upgrade', () => {
      upgraded = true;
    });
    await new Promise<void>((resolve, reject) => {
      ws.on('message', async (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; data?: string; status?: string };
        messages.push(message);
        if (!statusAtFirstLine && message.data?.includes('first-line'))
          statusAtFirstLine = await status(jobId);
      });
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    expect(upgraded).toBe(true);
    expect(statusAtFirstLine).toBe('running');
    expect(messages.map((m) => m.data ?? '').join('')).toContain('second-line');
    expect(messages.at(-1)).toEqual({ type: 'end', status: 'success' });
  });

  it('records the client address Apache forwards (127.0.0.1 is a trusted proxy)', async () => {
    // Apache appends the peer (127.0.0.1) to X-Forwarded-For; the server trusts it and takes
    // the address before it as the client's.
    const response = await fetch(`${proxied}/api/v1/projects`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${api.token}`,
        'content-type': 'application/json',
        'x-forwarded-for': '203.0.113.7',
      },
      body: JSON.stringify({
        name: 'via-apache',
        localPath: await makeRepo({ '.circleci/config.yml': config }),
      }),
    });
    expect(response.status).toBeLessThan(300);
    const page = await api.ok<AuditLogPage>(
      'GET',
      '/api/v1/admin/audit-log?order=asc&limit=1000&action=project.create',
    );
    const created = page.events.find((event) => event.target.name === 'via-apache');
    expect(created?.request?.ip_address).toBe('203.0.113.7');
  });
});
