import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDebianPackages, prometheusRequirement } from './ensure-debian-packages.js';
import { withFreePort } from './free-port.js';
import { httpStatusProbe } from './http-probe.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { createScratchDir } from './scratch-dir.js';
import { waitUntilReady } from './wait-until-ready.js';

/** One scrape target: a `/metrics` URL on 127.0.0.1 and the bearer token it wants. */
export interface PrometheusTarget {
  /** e.g. `http://127.0.0.1:8080/metrics` */
  readonly metricsUrl: string;
  readonly bearerToken?: string;
}

/** What Prometheus reports about a target (`/api/v1/targets`). */
export interface TargetHealth {
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
  readonly scrapeUrl: string;
}

export interface PrometheusService {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly configPath: string;
  /** Instant query; every series as labels and value. */
  query(expr: string): Promise<{ labels: Record<string, string>; value: number }[]>;
  /** The scrape targets and their health. */
  targets(): Promise<TargetHealth[]>;
  /** Stops Prometheus and removes its scratch folder. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus (Debian's package) on a free 127.0.0.1 port, scraping `targets` every
 * `scrapeIntervalMs` (default 1 s) with a bearer token, as an operator's scrape config does.
 * Ready when `/-/ready` answers 200.
 */
export async function startPrometheus(options: {
  targets: readonly PrometheusTarget[];
  scrapeIntervalMs?: number;
}): Promise<PrometheusService> {
  for (const target of options.targets) {
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(target.metricsUrl))
      throw new Error(`prometheus: target ${target.metricsUrl} must be http://127.0.0.1:PORT/…`);
  }
  await ensureDebianPackages([prometheusRequirement]);
  const scratch = createScratchDir('prometheus');
  const configPath = join(scratch.path, 'prometheus.yml');
  await writeFile(configPath, prometheusConfig(options.targets, options.scrapeIntervalMs ?? 1000));
  let prometheus: ManagedProcess | undefined;
  try {
    const port = await withFreePort(async (candidate) => {
      prometheus = await startManagedProcess({
        name: 'prometheus',
        command: '/usr/bin/prometheus',
        args: [
          `--config.file=${configPath}`,
          `--storage.tsdb.path=${join(scratch.path, 'data')}`,
          `--web.listen-address=127.0.0.1:${candidate}`,
          '--log.level=warn',
        ],
        cwd: scratch.path,
        logPath: join(scratch.path, 'prometheus.log'),
      });
      const started = prometheus;
      try {
        await waitUntilReady({
          process: started,
          port: candidate,
          probe: async () => {
            const status = await httpStatusProbe(
              candidate,
              'GET /-/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
            );
            if (status !== 200) throw new Error(`expected 200 from /-/ready, got ${status}`);
          },
        });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return candidate;
    });
    const url = `http://127.0.0.1:${port}`;
    const running = prometheus;
    const api = async <T>(path: string): Promise<T> => {
      const r = await fetch(`${url}${path}`);
      const body = (await r.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
      return body.data;
    };
    return {
      url,
      port,
      configPath,
      async query(expr) {
        const data = await api<{
          result: { metric: Record<string, string>; value: [number, string] }[];
        }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
        return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
      },
      async targets() {
        const data = await api<{ activeTargets: TargetHealth[] }>('/api/v1/targets');
        return data.activeTargets.map((t) => ({
          health: t.health,
          lastError: t.lastError,
          scrapeUrl: t.scrapeUrl,
        }));
      },
      async stop() {
        await running?.stop();
        scratch.remove();
      },
    };
  } catch (err) {
    await prometheus?.stop();
    scratch.remove();
    throw err;
  }
}

function prometheusConfig(targets: readonly PrometheusTarget[], intervalMs: number): string {
  const jobs = targets.map((target, i) => {
    const u = new URL(target.metricsUrl);
    return [
      `  - job_name: airlock-${i}`,
      `    metrics_path: ${u.pathname}`,
      ...(target.bearerToken
        ? ['    authorization:', '      type: Bearer', `      credentials: ${target.bearerToken}`]
        : []),
      '    static_configs:',
      `      - targets: ['${u.host}']`,
    ].join('\n');
  });
  return `# written by test/services/prometheus.ts
global:
  scrape_interval: ${intervalMs}ms
  scrape_timeout: ${intervalMs}ms
scrape_configs:
${jobs.join('\n')}
`;
}

/** Runs `promtool check metrics` on an exposition text: its findings, or '' when it has none. */
export async function promtoolCheckMetrics(text: string): Promise<string> {
  await ensureDebianPackages([prometheusRequirement]);
  return new Promise((resolve, reject) => {
    const child = execFile(
      '/usr/bin/promtool',
      ['check', 'metrics'],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const findings = `${stdout}${stderr}`.trim();
        if (error && findings === '') reject(error);
        else resolve(error ? findings || String(error) : findings);
      },
    );
    child.stdin?.end(text);
  });
}
