import type { Server as HttpServer } from 'node:http';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import { hostname } from 'node:os';
import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import {
  type InspectedCertificateFiles,
  inspectCertificateFiles,
} from '../net/tls/inspect-certificate-files.js';
import { AppError } from '../shared/app-error.js';
import { isoSeconds } from '../shared/certificate-facts.js';
import { canonicalHost } from '../shared/certificate-names.js';

export interface ServerTlsSettings {
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly publicUrl?: string | undefined;
}

/** HTTPS on the server itself: the certificate pair being served, and how to reload it. */
export interface ServerTls {
  /** The configured public URL, else `https://<host>:<port>` (the machine's name for 0.0.0.0). */
  readonly publicUrl: string;
  /** For `buildApp`: an HTTPS server (HTTP/1.1) with the loaded pair; WebSocket upgrades work as on HTTP. */
  readonly serverFactory: FastifyServerFactory;
  /** SHA-256 fingerprint of the certificate served now: the embedded runner pins it. */
  fingerprints(): readonly string[];
  /**
   * Re-reads both files and checks them as at start; a good pair is served to new connections
   * (open ones keep theirs), a bad one is logged and the current pair stays. True when loaded.
   */
  reload(): boolean;
  /** Reloads on SIGHUP (certbot's deploy hook: `kill -HUP <pid>`) until the returned function is called. */
  reloadOnSighup(): () => void;
}

function defaultPublicUrl(settings: ServerTlsSettings): string {
  const wildcard = settings.host === '0.0.0.0' || settings.host === '::';
  const host = wildcard ? hostname() : settings.host;
  return `https://${host.includes(':') ? `[${host}]` : host}:${settings.port}`;
}

function logLoaded(
  logger: Logger,
  inspected: InspectedCertificateFiles,
  certPath: string,
  what: string,
): void {
  const leaf = inspected.chain[0];
  if (leaf) {
    logger.info(
      {
        tls: {
          certFile: certPath,
          subject: leaf.subject,
          issuer: leaf.issuer,
          names: [...leaf.dnsNames, ...leaf.ipAddresses],
          notAfter: isoSeconds(leaf.notAfterMs),
          serial: leaf.serialNumber,
          sha256: leaf.fingerprint256,
          chainLength: inspected.chain.length,
        },
      },
      `TLS certificate ${what}: ${leaf.subject}, issued by ${leaf.issuer}, valid until ${isoSeconds(leaf.notAfterMs)}`,
    );
  }
  for (const f of inspected.findings) {
    if (f.severity === 'error') continue;
    logger[f.severity === 'warning' ? 'warn' : 'info'](
      { tls: { finding: f.code } },
      `${f.message}${f.hint ? `; ${f.hint}` : ''}`,
    );
  }
}

/**
 * Loads `--tls-cert` / `--tls-key` when set, after the checks of `inspectCertificateFiles`: an
 * error (unreadable, not PEM, encrypted or mismatched key, expired or not yet valid) stops the
 * start with a message naming the file; warnings (expiring within 14 days, names not covering
 * the public URL's host) are logged. Undefined when neither is set.
 */
export function loadServerTls(
  settings: ServerTlsSettings,
  logger: Logger,
  nowMs: () => number = Date.now,
): ServerTls | undefined {
  const { tlsCert: certPath, tlsKey: keyPath } = settings;
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    throw new AppError(
      'INVALID_CONFIG',
      `${certPath === undefined ? '--tls-key' : '--tls-cert'} is set but ${certPath === undefined ? '--tls-cert' : '--tls-key'} is not`,
      {
        hint: 'HTTPS needs both: --tls-cert (PEM chain) and --tls-key (PEM private key), or AIRLOCK_TLS_CERT and AIRLOCK_TLS_KEY',
      },
    );
  }
  const publicUrl = settings.publicUrl ?? defaultPublicUrl(settings);
  const host = {
    name: canonicalHost(new URL(publicUrl).hostname),
    source: settings.publicUrl
      ? `the public URL ${publicUrl}`
      : `the default public URL ${publicUrl}; set --public-url to the name clients use`,
  };
  const inspect = () =>
    inspectCertificateFiles({
      certPath,
      keyPath,
      certLabel: `--tls-cert ${certPath}`,
      keyLabel: `--tls-key ${keyPath}`,
      host,
      nowMs: nowMs(),
    });
  const first = inspect();
  if (!first.ok || !first.pem) {
    const errors = first.findings.filter((f) => f.severity === 'error');
    throw new AppError(
      'INVALID_CONFIG',
      `cannot serve HTTPS: ${errors.map((e) => e.message).join('; ')}`,
      {
        ...(errors[0]?.hint ? { hint: errors[0].hint } : {}),
      },
    );
  }
  logLoaded(logger, first, certPath, 'loaded');
  let current = { pem: first.pem, fingerprint: first.chain[0]?.fingerprint256 ?? '' };
  const servers = new Set<HttpsServer>();

  const serverFactory: FastifyServerFactory = (handler, opts) => {
    const server = createHttpsServer(
      { cert: current.pem.cert, key: current.pem.key, ALPNProtocols: ['http/1.1'] },
      handler,
    );
    // What Fastify sets on the servers it creates itself.
    if (typeof opts.keepAliveTimeout === 'number') server.keepAliveTimeout = opts.keepAliveTimeout;
    if (typeof opts.requestTimeout === 'number') server.requestTimeout = opts.requestTimeout;
    if (typeof opts.connectionTimeout === 'number') server.setTimeout(opts.connectionTimeout);
    servers.add(server);
    server.once('close', () => servers.delete(server));
    return server as unknown as HttpServer;
  };

  const reload = (): boolean => {
    const next = inspect();
    if (!next.ok || !next.pem) {
      const errors = next.findings.filter((f) => f.severity === 'error').map((f) => f.message);
      logger.error(
        { tls: { certFile: certPath, keyFile: keyPath } },
        `TLS reload failed, still serving the certificate loaded before: ${errors.join('; ')}`,
      );
      return false;
    }
    for (const server of servers)
      server.setSecureContext({ cert: next.pem.cert, key: next.pem.key });
    current = { pem: next.pem, fingerprint: next.chain[0]?.fingerprint256 ?? '' };
    logLoaded(logger, next, certPath, 'reloaded');
    return true;
  };

  return {
    publicUrl,
    serverFactory,
    fingerprints: () => [current.fingerprint],
    reload,
    reloadOnSighup: () => {
      const onHangup = (): void => {
        reload();
      };
      process.on('SIGHUP', onHangup);
      return () => process.off('SIGHUP', onHangup);
    },
  };
}
