import { connect } from 'node:net';

/**
 * Connects to host:port, writes a raw HTTP/1.1 request and resolves with the status code of the
 * answer. Rejects when the connection is refused, the answer is not HTTP, or after `timeoutMs`.
 * Used as a readiness probe: a TCP accept alone does not prove the service speaks its protocol.
 */
export function httpStatusProbe(
  port: number,
  rawRequest: string,
  { host = '127.0.0.1', timeoutMs = 2_000 }: { host?: string; timeoutMs?: number } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(new Error(`no HTTP answer from ${host}:${port} within ${timeoutMs} ms`));
    });
    socket.once('connect', () => socket.write(rawRequest));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const lineEnd = received.indexOf('\r\n');
      if (lineEnd === -1) return;
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received.slice(0, lineEnd));
      socket.destroy();
      if (match?.[1] === undefined) {
        reject(new Error(`not an HTTP answer from ${host}:${port}: ${received.slice(0, lineEnd)}`));
      } else {
        resolve(Number(match[1]));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`${host}:${port} closed without an HTTP answer`)));
  });
}
