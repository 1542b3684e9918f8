import { inspectCertificateFiles } from '../../net/tls/inspect-certificate-files.js';
import { caBundleFromEnv, readCaBundle } from '../../net/tls/read-ca-bundle.js';
import { verifyTlsEndpoint } from '../../net/tls/verify-tls-endpoint.js';
import { hasErrors, parseProxySettings } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import { canonicalHost } from '../../shared/certificate-names.js';
import { parseDuration } from '../../shared/duration.js';
import type { ExitCode } from '../command-result.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import type { CliContext } from '../output.js';
import { printProxyDiagnostics } from '../proxy-diagnostics-output.js';
import { printCertificate, printEndpointReport, printFindings } from '../tls-report-output.js';

interface TlsVerifyOpts {
  readonly caBundle?: string;
  readonly json?: boolean;
  readonly cert?: string;
  readonly key?: string;
  readonly host?: string;
  readonly timeout: string;
}

function usage(message: string, hint: string): AppError {
  return new AppError('INVALID_ARGUMENT', message, { hint });
}

/** `https://host[:port][/path]`; a bare `host[:port]` means https. */
function endpointUrl(raw: string): string {
  const text = raw.includes('://') ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`${JSON.stringify(raw)} is not a URL`, 'give https://host[:port]/ or host:port');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'wss:') {
    throw usage(
      `${url.protocol}// has no TLS to verify`,
      'give the https:// (or wss://) URL of the endpoint',
    );
  }
  return url.href;
}

/** `--cert FILE --key FILE [--host NAME]`: the checks the server runs at start, before deploying. */
function verifyFiles(opts: TlsVerifyOpts, ctx: CliContext): ExitCode {
  if (opts.cert === undefined || opts.key === undefined) {
    throw usage(
      `${opts.cert === undefined ? '--cert' : '--key'} is missing`,
      'give both: airlock tls verify --cert fullchain.pem --key privkey.pem [--host NAME]',
    );
  }
  const nowMs = Date.now();
  const result = inspectCertificateFiles({
    certPath: opts.cert,
    keyPath: opts.key,
    certLabel: `--cert ${opts.cert}`,
    keyLabel: `--key ${opts.key}`,
    ...(opts.host === undefined
      ? {}
      : { host: { name: canonicalHost(opts.host), source: '--host' } }),
    nowMs,
  });
  const unreadable = result.findings.some(
    (f) => f.code === 'cert-unreadable' || f.code === 'key-unreadable',
  );
  if (opts.json) {
    ctx.output.out(
      JSON.stringify({
        cert: opts.cert,
        key: opts.key,
        host: opts.host ?? null,
        chain: result.chain,
        findings: result.findings,
        ok: result.ok,
      }),
    );
  } else {
    ctx.output.out(`${opts.cert} (${result.chain.length} certificate(s)), key ${opts.key}`);
    result.chain.forEach((cert, i) =>
      printCertificate(
        ctx.output,
        cert,
        `#${i + 1}${i === 0 ? ' [server certificate]' : ''}`,
        nowMs,
      ),
    );
    printFindings(ctx.output, result.findings);
    ctx.output.out(
      `result: ${result.ok ? 'OK, the server can serve this pair' : 'FAILED, the server would refuse to start with this pair'}`,
    );
  }
  if (unreadable) return exitCodes.usage;
  return result.ok ? exitCodes.ok : exitCodes.failed;
}

export const tlsVerifyCommand = leafCommand<TlsVerifyOpts>(
  'verify',
  'check the TLS certificate of an https endpoint, or a certificate and key before deploying them',
  (cmd) =>
    cmd
      .argument('[url]', 'https:// URL (or host:port) of the endpoint to check')
      .option(
        '--ca-bundle <file>',
        'PEM bundle of private CAs to trust in addition to the public roots (default: AIRLOCK_CA_BUNDLE)',
      )
      .option('--json', 'print one JSON report')
      .option('--cert <file>', 'check this PEM certificate chain file instead of an endpoint')
      .option('--key <file>', 'the PEM private key that goes with --cert')
      .option(
        '--host <name>',
        'with --cert: the host name clients will use (checked against the certificate)',
      )
      .option('--timeout <duration>', 'limit for each connection stage, e.g. 5s', '10s')
      .addHelpText(
        'after',
        [
          '',
          'With a URL: connects as Airlock does (direct, or through the proxy of http_proxy /',
          'https_proxy / no_proxy with CONNECT) and prints the chain the server sent (subject,',
          'issuer, names, validity, key, SHA-256 fingerprint), whether it verifies against the',
          'public roots plus the CA bundle, whether the host name matches, days until expiry, the',
          'protocol and cipher, and what to do about each problem (missing intermediate, unknown',
          'issuer, name mismatch, expired).',
          'With --cert and --key: the checks `airlock server --tls-cert --tls-key` runs at start.',
          'Exit 0 when everything verifies, 1 when the endpoint answered (or the files were read)',
          'but verification failed, 2 on bad input, 3 when the endpoint could not be reached.',
        ].join('\n'),
      ),
  async (args, opts, ctx) => {
    const raw = args[0];
    if (opts.cert !== undefined || opts.key !== undefined) {
      if (raw !== undefined)
        throw usage('give a URL or --cert/--key, not both', 'airlock tls verify --help');
      return verifyFiles(opts, ctx);
    }
    if (raw === undefined)
      throw usage(
        'give the URL to check, or --cert and --key',
        'airlock tls verify https://ci.example.com/',
      );
    if (opts.host !== undefined)
      throw usage('--host goes with --cert and --key', 'for a URL, the host name is the URL’s');
    const url = endpointUrl(raw);
    const timeout = parseDuration(opts.timeout);
    if (!timeout.ok || timeout.value <= 0)
      throw usage(
        `--timeout ${JSON.stringify(opts.timeout)} is not a positive duration`,
        'e.g. 5s or 500ms',
      );
    const caBundle =
      opts.caBundle !== undefined
        ? readCaBundle(opts.caBundle, '--ca-bundle')
        : caBundleFromEnv(ctx.env);
    const { policy, diagnostics } = parseProxySettings({ env: ctx.env });
    printProxyDiagnostics(ctx.output, diagnostics);
    if (hasErrors(diagnostics)) return exitCodes.usage;
    const nowMs = Date.now();
    const report = await verifyTlsEndpoint(url, {
      policy,
      timeoutMs: timeout.value,
      nowMs,
      ...(caBundle === undefined ? {} : { caBundle }),
    });
    if (report.route === 'invalid') {
      ctx.output.err(`airlock: ${JSON.stringify(report.url)} is ${report.error}`);
      return exitCodes.usage;
    }
    if (opts.json) ctx.output.out(JSON.stringify(report));
    else printEndpointReport(ctx.output, report, nowMs);
    if (report.ok) return exitCodes.ok;
    return report.answered ? exitCodes.failed : exitCodes.unavailable;
  },
);
