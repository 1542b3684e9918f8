import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { type NginxService, startNginx } from '../services/nginx.js';
import {
  type AirlockRunner,
  type AirlockServer,
  TestApi,
  makeRepo,
  startAirlockRunner,
  startAirlockServer,
} from './airlock-processes.js';

// nginx buffers proxied responses by default (proxy_buffering on): the server's
// `X-Accel-Buffering: no` must switch that off for the live log, and WebSocket must upgrade.
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

describe('live logs through a real nginx with buffering on', () => {
  let server: AirlockServer;
  let runner: AirlockRunner;
  let nginx: NginxService;
  const api = new TestApi('');

  beforeAll(async () => {
    server = await startAirlockServer();
    (api as { url: string }).url = server.url;
    const { registrationToken } = await api.bootstrap();
    runner = await startAirlockRunner({
      serverUrl: server.url,
      token: registrationToken,
      name: 'live',
    });
    nginx = await startNginx({ upstream: server.url });
  });

  afterAll(async () => {
    await nginx?.stop();
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

  it('streams SSE through nginx while the job runs, then ends with the status', async () => {
    const jobId = await startJob('sse');
    const response = await fetch(`${nginx.url}/api/v1/jobs/${jobId}/log/stream`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
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
    expect(statusAtFirstLine).toBe('running');
    expect(text).toContain('second-line');
    expect(text).toMatch(/event: end\ndata: \{"status":"success"\}/);
  });

  it('streams over a WebSocket upgraded through nginx', async () => {
    const jobId = await startJob('ws');
    const ws = new WebSocket(`${nginx.url.replace('http', 'ws')}/api/v1/jobs/${jobId}/log/ws`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    const messages: { type: string; data?: string; status?: string }[] = [];
    let statusAtFirstLine = '';
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
    expect(statusAtFirstLine).toBe('running');
    expect(messages.map((m) => m.data ?? '').join('')).toContain('second-line');
    expect(messages.at(-1)).toEqual({ type: 'end', status: 'success' });
  });

  it('refuses a WebSocket without credentials', async () => {
    const jobId = await startJob('ws-anon');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/jobs/${jobId}/log/ws`);
    const code = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(code).toBe(401);
  });
});
