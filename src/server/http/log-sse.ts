import type { FastifyReply, FastifyRequest } from 'fastify';
import { finalJobStatuses } from '../../protocol/statuses.js';
import type { LogEvent } from '../logs/log-hub.js';
import type { Services } from '../services/services.js';
import type { JobRow } from '../store/job-row.js';

/**
 * Streams a job's log over Server-Sent Events: the stored chunks first, then live ones, then an
 * `end` event with the job's status. `X-Accel-Buffering: no` keeps nginx from buffering it;
 * a comment line every 15 s keeps idle proxies from closing it. `Last-Event-ID` (the last chunk
 * sequence seen) resumes after a reconnect without duplicates.
 */
export async function streamLogSse(
  services: Services,
  job: JobRow,
  request: FastifyRequest,
  reply: FastifyReply,
  shutdown?: AbortSignal,
): Promise<void> {
  const lastEventId = Number(
    request.headers['last-event-id'] ?? (request.query as { after?: string }).after ?? -1,
  );
  let lastSeq = Number.isFinite(lastEventId) ? lastEventId : -1;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const write = (text: string): void => {
    res.write(text);
  };
  const send = (event: LogEvent): void => {
    if (event.type === 'chunk') {
      if (event.chunk.seq <= lastSeq) return;
      lastSeq = event.chunk.seq;
      write(
        `id: ${event.chunk.seq}\nevent: chunk\ndata: ${JSON.stringify({ seq: event.chunk.seq, offset: event.chunk.offset, data: event.chunk.data })}\n\n`,
      );
    } else {
      write(`event: end\ndata: ${JSON.stringify({ status: event.status })}\n\n`);
      res.end();
    }
  };
  // Subscribe first, buffer, then replay the stored log: nothing is lost in between.
  const buffered: LogEvent[] = [];
  let replaying = true;
  const unsubscribe = services.deps.logHub.subscribe(job.id, (event) =>
    replaying ? buffered.push(event) : send(event),
  );
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), 15_000);
  const close = (): void => {
    clearInterval(keepAlive);
    unsubscribe();
  };
  request.raw.on('close', close);
  res.on('close', close);
  // At shutdown the stream ends; the browser's EventSource reconnects with Last-Event-ID.
  const onShutdown = (): void => {
    if (!res.writableEnded) res.end();
  };
  shutdown?.addEventListener('abort', onShutdown, { once: true });
  res.on('close', () => shutdown?.removeEventListener('abort', onShutdown));
  // Replay page by page, pausing while the socket drains: the first lines leave at once and a
  // 50 MB log is never held whole in memory.
  for (;;) {
    const page = await services.deps.store.logs.list(job.id, { afterSeq: lastSeq, limit: 8 });
    for (const chunk of page) send({ type: 'chunk', chunk });
    if (page.length < 8 || res.destroyed) break;
    if (res.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  replaying = false;
  for (const event of buffered) send(event);
  const current = await services.deps.store.jobs.get(job.id);
  if (current && finalJobStatuses.has(current.status) && !res.writableEnded)
    send({ type: 'end', status: current.status });
}
