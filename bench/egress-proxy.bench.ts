import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { parseProxySettings } from '../src/proxy/index.js';
import { startEgressProxy } from '../src/runner/egress/egress-proxy.js';
import type { Benchmark } from './benchmark.js';
import { formatNumber, summarize } from './stats.js';

/** A target server in its own process (as it would be: another host), on 127.0.0.1. */
const originScript = `
const http = require('node:http');
const chunk = Buffer.alloc(256 * 1024, 120);
http.createServer((req, res) => {
  const n = Number(new URL(req.url, 'http://x').searchParams.get('bytes') || '2');
  res.writeHead(200, { 'content-length': n, 'content-type': 'application/octet-stream' });
  let left = n;
  const pump = () => {
    while (left > 0) {
      const part = chunk.subarray(0, Math.min(chunk.length, left));
      left -= part.length;
      if (!res.write(part)) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

function startOrigin(): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', originScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) =>
      resolve({ port: Number(String(data).trim()), child }),
    );
  });
}

/** curl (a job's tool, in its own process) with `args`; resolves with stdout. */
function curl(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--fail', '--output', '/dev/null', ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`curl failed: ${stderr}`)) : resolve(stdout),
    );
  });
}

const mib = 1024 * 1024;

export const benchmark: Benchmark = {
  name: 'Runner egress proxy',
  what: "The job's local forward proxy (src/runner/egress) in the benchmark process, curl as the job's tool and the target server each in their own process, all on 127.0.0.1, direct route (the upstream proxy's own cost is not included). Throughput of a 256 MiB download through a CONNECT tunnel (`curl -p`) and as an absolute-form request, and the time of each of 500 small keep-alive requests; each compared with curl straight to the server.",
  async run() {
    const origin = await startOrigin();
    const egress = await startEgressProxy({
      policy: parseProxySettings({ env: {} }).policy,
      jobId: 'bench',
      onAccess: () => {},
    });
    try {
      const big = `http://127.0.0.1:${origin.port}/?bytes=${256 * mib}`;
      const speed = async (extra: readonly string[]): Promise<number> =>
        Number(await curl([...extra, '--write-out', '%{speed_download}', big])) / mib;
      const tunnel: number[] = [];
      const forward: number[] = [];
      const straight: number[] = [];
      await speed([]); // warm-up
      for (let rep = 0; rep < 5; rep++) {
        tunnel.push(await speed(['--proxytunnel', '--proxy', egress.url]));
        forward.push(await speed(['--proxy', egress.url]));
        straight.push(await speed([]));
      }
      const small = `http://127.0.0.1:${origin.port}/?bytes=2`;
      const times = async (extra: readonly string[]): Promise<number[]> => {
        const out = await curl([
          ...extra,
          '--write-out',
          'T=%{time_total}\\n',
          ...Array.from({ length: 500 }, () => small),
        ]);
        // The bodies (all but the first go to stdout) sit between the lines: read the markers.
        return [...out.matchAll(/T=([\d.]+)/g)].slice(1).map((m) => Number(m[1]) * 1000);
      };
      const viaProxy = await times(['--proxy', egress.url]);
      const direct = await times([]);
      const straightMedian = summarize(straight).median;
      const directMedian = summarize(direct).median;
      return {
        'CONNECT tunnel, 256 MiB': {
          unit: 'MiB/s',
          samples: tunnel,
          better: 'higher',
          notes: [`curl straight to the server: ${formatNumber(straightMedian)} MiB/s (median)`],
        },
        'absolute-form request, 256 MiB': {
          unit: 'MiB/s',
          samples: forward,
          better: 'higher',
        },
        'small keep-alive request through the proxy': {
          unit: 'ms',
          samples: viaProxy,
          better: 'lower',
          notes: [
            `curl straight to the server: ${formatNumber(directMedian)} ms (median); the first request of each run (connection set-up) is left out`,
          ],
        },
      };
    } finally {
      await egress.close();
      origin.child.kill();
    }
  },
};
