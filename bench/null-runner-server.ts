import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobAssignment } from '../src/protocol/runner-api.js';
import { runnerApiPrefix } from '../src/protocol/runner-api.js';

/**
 * The runner protocol with nothing behind it: hands out the given jobs one at a time, counts the
 * bytes of log requests and throws them away. It measures the runner alone, without the server's
 * JSON parsing and storage.
 */
export interface NullRunnerServer {
  readonly url: string;
  /** Queues a job; resolves with its result and the log request bytes received for it. */
  run(assignment: JobAssignment): Promise<{ status: string; logBytes: number }>;
  close(): Promise<void>;
}

export async function startNullRunnerServer(): Promise<NullRunnerServer> {
  const queue: JobAssignment[] = [];
  let waiting: ((job: JobAssignment) => void) | undefined;
  const logBytes = new Map<string, number>();
  const done = new Map<string, (r: { status: string; logBytes: number }) => void>();
  const json = (res: ServerResponse, status: number, body?: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').slice(runnerApiPrefix.length);
    const parts: Buffer[] = [];
    let bytes = 0;
    const isLog = path.endsWith('/logs');
    req.on('data', (b: Buffer) => {
      bytes += b.length;
      if (!isLog) parts.push(b);
    });
    req.on('end', () => {
      const jobId = /^\/jobs\/([^/]+)\//.exec(path)?.[1] ?? '';
      if (path === '/register') return json(res, 200, { runnerId: 'null', token: 'null-token' });
      if (path === '/heartbeat')
        return json(res, 200, { cancel: [], lost: [], drain: false, leaseMs: 60_000 });
      if (path === '/claim') {
        const next = queue.shift();
        if (next) return json(res, 200, next);
        const timer = setTimeout(() => {
          waiting = undefined;
          json(res, 204);
        }, 20_000);
        waiting = (job) => {
          clearTimeout(timer);
          waiting = undefined;
          json(res, 200, job);
        };
        return;
      }
      if (isLog) {
        logBytes.set(jobId, (logBytes.get(jobId) ?? 0) + bytes);
        return json(res, 200, { stored: 1, duplicates: 0 });
      }
      if (path.endsWith('/complete')) {
        const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { status: string };
        done.get(jobId)?.({ status: body.status, logBytes: logBytes.get(jobId) ?? 0 });
        return json(res, 200, { ok: true });
      }
      return json(res, 200, { ok: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    run: (assignment) =>
      new Promise((resolve) => {
        done.set(assignment.jobId, resolve);
        if (waiting) waiting(assignment);
        else queue.push(assignment);
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
