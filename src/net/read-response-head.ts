import type { Duplex } from 'node:stream';
import { AppError } from '../shared/app-error.js';

export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** Lowercase names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
}

const maxHeadBytes = 64 * 1024;

/**
 * Reads one HTTP/1.x response head (status line and headers) from a socket, and puts any bytes
 * after it back with `unshift`, so the socket can be handed on (a CONNECT tunnel) or closed.
 * Used for proxy CONNECT answers and by `airlock proxy doctor`.
 */
export function readResponseHead(socket: Duplex, what: string): Promise<ResponseHead> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onEnd = () => {
      cleanup();
      reject(new AppError('NETWORK', `${what} closed the connection before answering`));
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > maxHeadBytes) {
          cleanup();
          reject(
            new AppError('NETWORK', `${what} sent a response head over ${maxHeadBytes} bytes`),
          );
        }
        return;
      }
      cleanup();
      socket.pause();
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
      if (!match) {
        reject(
          new AppError(
            'NETWORK',
            `${what} did not answer with HTTP (got ${JSON.stringify((lines[0] ?? '').slice(0, 40))})`,
          ),
        );
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      resolve({ status: Number(match[1]), statusText: match[2] ?? '', headers });
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.resume();
  });
}
