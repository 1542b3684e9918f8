import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';

/** Reads `event:`/`data:` blocks of a Server-Sent Events stream. */
async function* sseEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    for (let index = buffer.indexOf('\n\n'); index >= 0; index = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

export const jobsLogsCommand = leafCommand<{ follow?: boolean; server?: string }>(
  'logs',
  'print the log of a job; --follow streams it live until the job ends',
  (cmd) =>
    cmd
      .argument('<id>', 'job id (see `airlock jobs list`)')
      .option('-f, --follow', 'stream new lines as they arrive, until the job ends')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([id], opts, ctx) => {
    const api = new ApiClient(ctx, { server: opts.server });
    const jobId = encodeURIComponent(id ?? '');
    if (!opts.follow) {
      const text = await api.requestText('GET', `/api/v1/jobs/${jobId}/log`);
      if (text.length > 0) ctx.output.out(text.replace(/\n$/, ''));
      return 0;
    }
    const response = await api.response(
      'GET',
      `/api/v1/jobs/${jobId}/log/stream`,
      undefined,
      ctx.signal,
    );
    let pending = '';
    let status = '';
    if (!response.body) return 0;
    try {
      for await (const event of sseEvents(response.body)) {
        if (event.event === 'chunk') {
          pending += (JSON.parse(event.data) as { data: string }).data;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) ctx.output.out(line);
        } else if (event.event === 'end') {
          status = (JSON.parse(event.data) as { status: string }).status;
          break;
        }
      }
    } catch (error) {
      if (!ctx.signal.aborted) throw error;
    }
    if (pending) ctx.output.out(pending);
    if (status) ctx.output.err(`job ended: ${status}`);
    return status === '' || status === 'success' ? 0 : 1;
  },
);
