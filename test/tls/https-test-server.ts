import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { AppError } from '../../src/shared/app-error.js';
import { makeRepo } from '../e2e/airlock-processes.js';
import { findFreePort } from '../services/free-port.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type TrustingClient, trustingClient } from './https-client.js';
import { type IssuedCertificate, type TestPki, createTestPki } from './test-pki.js';

export const silent = new Writable({ write: (_c, _e, cb) => cb() });

/** A pino destination that keeps every JSON line. */
export function logLines(): {
  stream: Writable;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  let text = '';
  return {
    stream: new Writable({
      write(chunk, _e, cb) {
        text += chunk.toString();
        cb();
      },
    }),
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => text,
  };
}

export async function startTlsServer(options: {
  cert: string;
  key: string;
  port?: number;
  publicUrl?: string;
  embeddedRunner?: boolean;
  logDestination?: Writable;
}): Promise<RunningServer> {
  return startServer({
    config: serverConfigSchema.parse({
      dataDir: createScratchDir('tls-server').path,
      port: options.port ?? 0,
      logLevel: 'info',
      embeddedRunner: options.embeddedRunner ?? false,
      embeddedRunnerCapacity: 1,
      tlsCert: options.cert,
      tlsKey: options.key,
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    }),
    env: { PATH: process.env.PATH },
    version: 'test',
    logDestination: options.logDestination ?? silent,
    scheduleTriggers: false,
    shutdownGraceMs: 1000,
  });
}

/** The AppError a server start is refused with (fails if the server starts). */
export async function startFailure(promise: Promise<RunningServer>): Promise<AppError> {
  try {
    const server = await promise;
    await server.stop();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the server started');
}

const config = `version: 2.1
jobs:
  talk:
    machine: true
    steps:
      - run: echo first-line; sleep 2; echo second-line
workflows:
  main:
    jobs: [talk]
`;

/** A server over HTTPS with the embedded runner, its certificate files, and an API client. */
export interface ServedTls {
  readonly pki: TestPki;
  readonly leaf: IssuedCertificate;
  readonly server: RunningServer;
  readonly client: TrustingClient;
  readonly token: string;
  readonly cookie: string;
  readonly port: number;
  readonly log: ReturnType<typeof logLines>;
  /** The files the server loaded (copies of `leaf`), to overwrite for a reload. */
  readonly certFile: string;
  readonly keyFile: string;
  base(): string;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Creates `project` (a job that prints two lines 2 s apart) and triggers it: the job id. */
  startJob(project: string): Promise<string>;
  waitForStatus(jobId: string, wanted: string): Promise<JobView>;
  close(): Promise<void>;
}

export async function startServedTls(): Promise<ServedTls> {
  const pki = await createTestPki('Airlock Server TLS');
  // Names only ci.airlock.test: the embedded runner reaches 127.0.0.1 and trusts no CA, so only
  // its pin on the served certificate lets it in.
  const leaf = await pki.issue({
    name: 'ci.airlock.test',
    sans: ['DNS:ci.airlock.test'],
    days: 90,
  });
  const dir = createScratchDir('tls-files').path;
  const certFile = join(dir, 'fullchain.pem');
  const keyFile = join(dir, 'privkey.pem');
  copyFileSync(leaf.chainPath, certFile);
  copyFileSync(leaf.keyPath, keyFile);
  const port = await findFreePort();
  const log = logLines();
  const server = await startTlsServer({
    cert: certFile,
    key: keyFile,
    port,
    embeddedRunner: true,
    logDestination: log.stream,
  });
  const client = trustingClient(pki.rootPem, 'ci.airlock.test');
  const base = () => `https://127.0.0.1:${port}`;
  const { token, cookie } = await client.bootstrap(base());

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await client.fetch(`${base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    if (r.status >= 400) throw new Error(`${method} ${path} -> ${r.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  const startJob = async (project: string): Promise<string> => {
    const repo = await makeRepo({ '.circleci/config.yml': config });
    await api('POST', '/api/v1/projects', { name: project, localPath: repo });
    const pipeline = await api<PipelineView>('POST', `/api/v1/projects/${project}/pipelines`, {});
    const jobs = await api<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
    const id = jobs[0]?.id;
    if (!id) throw new Error('no job');
    return id;
  };

  const waitForStatus = async (jobId: string, wanted: string): Promise<JobView> => {
    for (let i = 0; i < 600; i++) {
      const job = await api<JobView>('GET', `/api/v1/jobs/${jobId}`);
      if (job.status === wanted) return job;
      if (['failed', 'canceled', 'infrastructure_fail'].includes(job.status))
        throw new Error(`job ended ${job.status}: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} never became ${wanted}`);
  };

  return {
    pki,
    leaf,
    server,
    client,
    token,
    cookie,
    port,
    log,
    certFile,
    keyFile,
    base,
    api,
    startJob,
    waitForStatus,
    async close() {
      await server.stop();
      await client.close();
      await pki.remove();
    },
  };
}
