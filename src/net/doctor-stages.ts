import { lookup } from 'node:dns/promises';
import { type Socket, connect as netConnect } from 'node:net';
import {
  type DetailedPeerCertificate,
  type TLSSocket,
  checkServerIdentity,
  connect as tlsConnect,
} from 'node:tls';
import { AppError } from '../shared/app-error.js';

/** One stage of a connection, as `airlock proxy doctor` reports it. */
export interface DoctorStage {
  readonly name: 'dns' | 'tcp' | 'proxy-tls' | 'proxy' | 'connect' | 'tls' | 'http';
  readonly ok: boolean;
  /** Wall time of the stage in milliseconds. */
  readonly ms: number;
  /** What happened, in words; never credentials. */
  readonly detail: string;
}

export function isIpLiteral(host: string): boolean {
  return host.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** Rejects after `ms` with TIMEOUT; `what` names the stage. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new AppError('TIMEOUT', `${what} timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** DNS: the addresses of `host` (IP literals are not looked up). */
export async function resolveHost(host: string): Promise<string[]> {
  if (isIpLiteral(host)) return [host];
  const addresses = await lookup(host, { all: true });
  return addresses.map((a) => a.address);
}

/** TCP: a connected socket to address:port. */
export function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket> {
  const socket = netConnect({ host: address, port });
  const ready = new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
  return withTimeout(ready, timeoutMs, `TCP to ${address}:${port}`, () => socket.destroy());
}

function nameOf(subject: DetailedPeerCertificate['subject'] | undefined): string {
  if (!subject) return 'an unnamed issuer';
  const parts = [subject.CN && `CN=${subject.CN}`, subject.O && `O=${subject.O}`].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'an unnamed issuer';
}

/** The issuer at the top of the chain the server sent: the CA that would need trusting. */
export function topIssuer(cert: DetailedPeerCertificate): string {
  let current = cert;
  for (let i = 0; i < 10; i++) {
    const next = current.issuerCertificate;
    if (!next || next === current || next.fingerprint256 === current.fingerprint256) break;
    current = next;
  }
  return nameOf(current.issuer);
}

export interface TlsResult {
  readonly socket: TLSSocket;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * TLS over an existing socket (direct, or a CONNECT tunnel). Verification is done here, not by
 * rejecting the handshake, so a failure can name the certificate's issuer.
 */
export function handshake(
  socket: Socket,
  host: string,
  ca: readonly string[] | undefined,
  timeoutMs: number,
): Promise<TlsResult> {
  const tlsSocket = tlsConnect({
    socket,
    ...(isIpLiteral(host) ? {} : { servername: host }),
    ...(ca ? { ca: [...ca] } : {}),
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  const done = new Promise<TlsResult>((resolve, reject) => {
    tlsSocket.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ERR_SSL_WRONG_VERSION_NUMBER'
          ? new AppError(
              'NETWORK',
              `the answer is not TLS (OpenSSL: wrong version number): is this a plain-HTTP port? Use http://, or the server's TLS port`,
              { cause: error },
            )
          : error,
      ),
    );
    tlsSocket.once('secureConnect', () => {
      const cert = tlsSocket.getPeerCertificate(true);
      const issuer = topIssuer(cert);
      const version = tlsSocket.getProtocol() ?? 'TLS';
      if (!tlsSocket.authorized) {
        const code = String(tlsSocket.authorizationError ?? 'unknown error');
        resolve({
          socket: tlsSocket,
          ok: false,
          detail: `certificate not trusted (${code}): the chain ends at ${issuer}, which is not in the trusted CAs; pass its certificate with --ca-file`,
        });
        return;
      }
      const identity = checkServerIdentity(host, cert);
      if (identity) {
        resolve({
          socket: tlsSocket,
          ok: false,
          detail: `certificate is not valid for ${host}: ${identity.message}`,
        });
        return;
      }
      resolve({
        socket: tlsSocket,
        ok: true,
        detail: `${version}, certificate for ${nameOf(cert.subject)} issued by ${issuer}`,
      });
    });
  });
  return withTimeout(done, timeoutMs, `TLS with ${host}`, () => tlsSocket.destroy());
}
