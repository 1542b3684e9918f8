import { createServer } from 'node:net';

/** Ports handed out by this process, so two services started here never get the same one. */
const handedOut = new Set<number>();

/**
 * Asks the OS for a free TCP port on `host` (bind to port 0, read the port, close).
 * The port may be taken by someone else before the service binds it: start functions wrap their
 * start in `withFreePort`, which retries with a new port when the service reports EADDRINUSE.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen({ host, port: 0, exclusive: true }, () => {
        const address = server.address();
        const found = typeof address === 'object' && address !== null ? address.port : 0;
        server.close((err) => (err ? reject(err) : resolve(found)));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`could not find a free TCP port on ${host} after 20 tries`);
}

/** Thrown by a start attempt when the service could not bind its port (EADDRINUSE). */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    message: string,
  ) {
    super(message);
    this.name = 'PortInUseError';
  }
}

/** Text that services write to their logs when their port is taken. */
const portInUsePattern = /address already in use|EADDRINUSE|could not bind|bind\(\) to .* failed/i;

/** True when a service log tail says the port was taken. */
export function logSaysPortInUse(logTail: string): boolean {
  return portInUsePattern.test(logTail);
}

/**
 * Runs `start` with a fresh free port; when it throws PortInUseError (a race with another
 * process), tries again with a new port, at most `attempts` times.
 */
export async function withFreePort<T>(
  start: (port: number) => Promise<T>,
  attempts = 5,
): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = await findFreePort();
    try {
      return await start(port);
    } catch (err) {
      if (!(err instanceof PortInUseError)) throw err;
      last = err;
    }
  }
  throw last;
}
