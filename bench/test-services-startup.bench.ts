import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startNginx } from '../test/services/nginx.js';
import { startPostgres } from '../test/services/postgres.js';
import { startSlapd } from '../test/services/slapd.js';
import { startSquid } from '../test/services/squid.js';
import { startTinyproxy } from '../test/services/tinyproxy.js';
import type { Benchmark, Measurement } from './benchmark.js';

const repetitions = 5;

/** Time from calling start to a ready handle, and from stop() to stopped, in ms. */
async function measure(
  start: () => Promise<{ stop(): Promise<void> }>,
): Promise<{ start: number[]; stop: number[] }> {
  const startMs: number[] = [];
  const stopMs: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    const t0 = performance.now();
    const service = await start();
    const t1 = performance.now();
    await service.stop();
    startMs.push(t1 - t0);
    stopMs.push(performance.now() - t1);
  }
  return { start: startMs, stop: stopMs };
}

function ms(samples: number[]): Measurement {
  return { unit: 'ms', samples, better: 'lower' };
}

/** How long the integration-test services of test/services take to start and to stop. */
export const benchmark: Benchmark = {
  name: 'Test services start and stop',
  what: `Starts and stops each service of test/services ${repetitions} times (packages already installed): time from the start call to a ready handle (initdb included for PostgreSQL, seeding included for slapd), and the time stop() takes.`,
  async run() {
    const upstream: Server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    try {
      const results: Record<string, Measurement> = {};
      const services: Array<[string, () => Promise<{ stop(): Promise<void> }>]> = [
        ['postgres', () => startPostgres()],
        ['squid', () => startSquid()],
        ['tinyproxy', () => startTinyproxy()],
        ['nginx', () => startNginx({ upstream: upstreamUrl })],
        ['slapd', () => startSlapd()],
      ];
      for (const [name, start] of services) {
        const measured = await measure(start);
        results[`${name} start`] = ms(measured.start);
        results[`${name} stop`] = ms(measured.stop);
      }
      return results;
    } finally {
      await new Promise((resolve) => upstream.close(resolve));
    }
  },
};
