import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { Pool } from 'undici';
import { type RunningServer, startServer } from '../src/cmd/start-server.js';
import { serverConfigSchema } from '../src/server/config.js';
import { createTestPki } from '../test/tls/test-pki.js';
import type { Benchmark } from './benchmark.js';

const repetitions = 7;
const keepAliveRequests = 1000;
const newConnections = 100;

const silent = new Writable({ write: (_c, _e, cb) => cb() });

function start(dataDir: string, tls?: { cert: string; key: string }): Promise<RunningServer> {
  return startServer({
    config: serverConfigSchema.parse({
      dataDir,
      port: 0,
      logLevel: 'silent',
      embeddedRunner: false,
      ...(tls ? { tlsCert: tls.cert, tlsKey: tls.key } : {}),
    }),
    env: { PATH: process.env.PATH },
    version: 'bench',
    logDestination: silent,
    scheduleTriggers: false,
  });
}

/** Requests per second of `GET /healthz`, one after another over one kept-alive connection. */
async function keepAliveRate(url: string, ca?: string): Promise<number> {
  const pool = new Pool(url, { connections: 1, ...(ca ? { connect: { ca: [ca] } } : {}) });
  try {
    const begin = process.hrtime.bigint();
    for (let i = 0; i < keepAliveRequests; i++) {
      const response = await pool.request({ path: '/healthz', method: 'GET' });
      await response.body.text();
    }
    return keepAliveRequests / (Number(process.hrtime.bigint() - begin) / 1e9);
  } finally {
    await pool.close();
  }
}

/** Milliseconds per fresh connection: connect (and handshake), one request, its answer, close. */
async function newConnectionMs(port: number, tls?: ConnectionOptions): Promise<number> {
  const begin = process.hrtime.bigint();
  for (let i = 0; i < newConnections; i++) {
    await new Promise<void>((resolve, reject) => {
      const socket = tls
        ? tlsConnect({ ...tls, host: '127.0.0.1', port })
        : netConnect({ host: '127.0.0.1', port });
      socket.once(tls ? 'secureConnect' : 'connect', () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
      );
      socket.on('data', () => undefined);
      socket.once('end', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });
  }
  return Number(process.hrtime.bigint() - begin) / 1e6 / newConnections;
}

export const benchmark: Benchmark = {
  name: 'HTTPS on the server',
  what: `The cost of TLS on the server itself (ECDSA P-256 certificate from a private CA, TLS 1.3): \`GET /healthz\` requests per second over one kept-alive connection (${keepAliveRequests} per sample), milliseconds per new connection with one request (${newConnections} per sample), each against the same server over plain HTTP; and the time of a certificate reload (SIGHUP: read, check, swap).`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-tls-'));
    const pki = await createTestPki('Airlock Bench');
    const leaf = await pki.issue({
      name: 'localhost',
      sans: ['DNS:localhost', 'IP:127.0.0.1'],
      days: 90,
    });
    const plain = await start(join(dir, 'plain'));
    const secure = await start(join(dir, 'tls'), { cert: leaf.chainPath, key: leaf.keyPath });
    const port = (url: string) => Number(new URL(url).port);
    const samples = {
      httpsRate: [] as number[],
      httpRate: [] as number[],
      httpsConnect: [] as number[],
      httpConnect: [] as number[],
      reload: [] as number[],
    };
    try {
      // Warm both paths once.
      await keepAliveRate(plain.url);
      await keepAliveRate(secure.url, pki.rootPem);
      for (let rep = 0; rep < repetitions; rep++) {
        samples.httpRate.push(await keepAliveRate(plain.url));
        samples.httpsRate.push(await keepAliveRate(secure.url, pki.rootPem));
        samples.httpConnect.push(await newConnectionMs(port(plain.url)));
        samples.httpsConnect.push(
          await newConnectionMs(port(secure.url), { ca: [pki.rootPem], servername: 'localhost' }),
        );
        const begin = process.hrtime.bigint();
        if (!secure.tls?.reload()) throw new Error('the reload failed');
        samples.reload.push(Number(process.hrtime.bigint() - begin) / 1e6);
      }
    } finally {
      await plain.stop();
      await secure.stop();
      await pki.remove();
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      'HTTPS requests per second, kept-alive connection': {
        unit: 'req/s',
        samples: samples.httpsRate,
        better: 'higher',
        notes: [
          'baseline: the next line, the same requests over plain HTTP (this 2-core machine is shared: compare the spreads); the handshake is where TLS costs most',
        ],
      },
      'HTTP requests per second, kept-alive connection': {
        unit: 'req/s',
        samples: samples.httpRate,
        better: 'higher',
      },
      'HTTPS new connection (TLS 1.3 handshake) and one request': {
        unit: 'ms',
        samples: samples.httpsConnect,
        better: 'lower',
      },
      'HTTP new connection and one request': {
        unit: 'ms',
        samples: samples.httpConnect,
        better: 'lower',
      },
      'certificate reload (SIGHUP)': { unit: 'ms', samples: samples.reload, better: 'lower' },
    };
  },
};
