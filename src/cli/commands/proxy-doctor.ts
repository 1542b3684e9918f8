import { readFile } from 'node:fs/promises';
import { type DoctorReport, doctorUrl } from '../../net/doctor-url.js';
import { parseS3Url } from '../../net/s3/s3-location.js';
import { hasErrors, parseProxySettings } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import { parseDuration } from '../../shared/duration.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import type { Output } from '../output.js';
import { printProxyDiagnostics } from '../proxy-diagnostics-output.js';

interface DoctorOpts {
  readonly json?: boolean;
  readonly blobViaProxy?: boolean;
  readonly caFile?: string;
  readonly timeout: string;
}

function printReport(output: Output, report: DoctorReport): void {
  const route =
    report.route === 'proxy'
      ? `proxy ${report.proxy}`
      : report.route === 'direct'
        ? 'direct'
        : `invalid: ${report.error}`;
  output.out(`${report.url} → ${route}${report.rule ? ` (${report.rule})` : ''}`);
  for (const stage of report.stages) {
    const ms = `${Math.round(stage.ms)}ms`;
    output.out(
      `  ${stage.ok ? 'ok  ' : 'FAIL'}  ${stage.name.padEnd(9)} ${ms.padStart(7)}  ${stage.detail}`,
    );
  }
}

async function readCaBundle(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    const text = await readFile(path, 'utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AppError('INVALID_ARGUMENT', `--ca-file ${path} holds no PEM certificate`, {
        hint: 'pass a PEM file with one or more "-----BEGIN CERTIFICATE-----" blocks',
      });
    }
    return text;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_ARGUMENT', `cannot read --ca-file ${path}`, {
      cause: error,
      hint: 'check the path and its permissions',
    });
  }
}

/** The HTTPS URL of the bucket of an s3:// blob URL (path style or virtual host). */
function s3BucketUrl(blobUrl: string): string {
  const location = parseS3Url(blobUrl);
  const url = new URL(location.endpoint);
  if (location.pathStyle) url.pathname = `/${location.bucket}/`;
  else url.hostname = `${location.bucket}.${url.hostname}`;
  return url.href;
}

export const proxyDoctorCommand = leafCommand<DoctorOpts>(
  'doctor',
  'connect to each URL as the policy says and report every stage',
  (cmd) =>
    cmd
      .argument(
        '<urls...>',
        "http(s) URLs to connect to; an s3:// blob URL (as the server's --blob-url) checks its endpoint",
      )
      .option(
        '--blob-via-proxy',
        "s3:// endpoints go through the proxy, as with the server's --blob-via-proxy (default: direct, an internal endpoint)",
      )
      .option('--json', 'print one JSON report per URL, one a line')
      .option(
        '--ca-file <path>',
        'PEM bundle of private CAs to trust, in addition to the public roots',
      )
      .option('--timeout <duration>', 'limit for each stage, e.g. 5s, 500ms', '10s')
      .addHelpText(
        'after',
        [
          '',
          'Really connects, direct or through the proxy as http_proxy/https_proxy/no_proxy say, and',
          'reports DNS, TCP, TLS to the proxy, the proxy answer to CONNECT (407: wrong or missing',
          'credentials), TLS with the origin (an untrusted issuer is named) and the HTTP status,',
          'with timings. Never prints credentials. Exit 0 when every URL passed, 1 when a stage',
          'failed, 2 on a malformed setting, URL or flag.',
        ].join('\n'),
      ),
  async (urls, opts, ctx) => {
    const timeout = parseDuration(opts.timeout);
    if (!timeout.ok || timeout.value <= 0) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `--timeout ${JSON.stringify(opts.timeout)} is not a positive duration`,
        { hint: 'use a number with a unit, e.g. 5s or 500ms' },
      );
    }
    const caBundle = await readCaBundle(opts.caFile);
    // A blob URL is checked at its bucket's endpoint, routed as the server routes it.
    const blobEndpoints = urls.filter((u) => u.startsWith('s3://')).map(s3BucketUrl);
    const targets = urls.map((u) => (u.startsWith('s3://') ? s3BucketUrl(u) : u));
    const { policy, diagnostics } = parseProxySettings({
      env: ctx.env,
      internal: blobEndpoints,
      ...(opts.blobViaProxy && blobEndpoints.length > 0
        ? { config: { proxyInternal: blobEndpoints } }
        : {}),
    });
    printProxyDiagnostics(ctx.output, diagnostics);
    let code: number = hasErrors(diagnostics) ? exitCodes.usage : exitCodes.ok;
    for (const url of targets) {
      const report = await doctorUrl(url, {
        policy,
        timeoutMs: timeout.value,
        ...(caBundle === undefined ? {} : { caBundle }),
      });
      if (opts.json) ctx.output.out(JSON.stringify(report));
      else printReport(ctx.output, report);
      if (report.route === 'invalid') {
        code = exitCodes.usage;
        ctx.output.err(`airlock: ${JSON.stringify(report.url)} is ${report.error}`);
      } else if (!report.ok && code === exitCodes.ok) {
        code = exitCodes.failed;
      }
    }
    return code;
  },
);
