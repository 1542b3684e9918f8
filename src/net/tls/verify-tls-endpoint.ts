import { X509Certificate } from 'node:crypto';
import { type DetailedPeerCertificate, type TLSSocket, rootCertificates } from 'node:tls';
import type { ProxyPolicy } from '../../proxy/index.js';
import { type TlsFinding, daysUntil } from '../../shared/certificate-facts.js';
import { canonicalHost, hostMatchesCertificate } from '../../shared/certificate-names.js';
import { type ChainCertificate, tlsEndpointFindings } from '../../shared/tls-endpoint-findings.js';
import type { DoctorStage } from '../doctor-stages.js';
import { doctorUrl } from '../doctor-url.js';
import { certificateFacts, fingerprintsOf } from './certificate-facts-of.js';

export interface VerifyTlsOptions {
  readonly policy: ProxyPolicy;
  /** PEM of private CAs trusted in addition to Node's roots. */
  readonly caBundle?: string;
  /** Per connection stage. Default 10 000 ms. */
  readonly timeoutMs?: number;
  readonly nowMs: number;
  /** Warn when a certificate expires within this many days. Default 14. */
  readonly warnDays?: number;
}

export interface TlsEndpointReport {
  /** The URL checked, credentials redacted. */
  readonly url: string;
  readonly host: string;
  readonly route: 'direct' | 'proxy' | 'invalid';
  readonly proxy: string | null;
  readonly rule: string | null;
  /** DNS, TCP, the proxy and CONNECT when routed through one, and the TLS handshake. */
  readonly stages: readonly DoctorStage[];
  /** The TLS handshake completed: the endpoint answered, whether or not it verifies. */
  readonly answered: boolean;
  /** `TLSv1.3`, … */
  readonly protocol: string | null;
  /** IANA name of the negotiated cipher suite. */
  readonly cipher: string | null;
  /** The leaf first, then its issuers: those the server sent, then the trusted CA they lead to. */
  readonly chain: readonly ChainCertificate[];
  /** The chain verifies against Node's roots plus the CA bundle. */
  readonly trusted: boolean;
  /** OpenSSL's reason when it does not. */
  readonly verifyError: string | null;
  readonly hostMatches: boolean;
  /** Days until the server certificate expires (negative: expired). */
  readonly daysUntilExpiry: number | null;
  readonly findings: readonly TlsFinding[];
  /** Connected, verified, name matches, nothing expired. */
  readonly ok: boolean;
  /** For an invalid URL: why. */
  readonly error?: string;
}

interface Observed {
  readonly chain: X509Certificate[];
  readonly verifyError: string | undefined;
  readonly protocol: string | null;
  readonly cipher: string | null;
}

/** The certificates a client saw, leaf first, following `issuerCertificate` until it loops. */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (current?.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    out.push(new X509Certificate(current.raw));
    current = current.issuerCertificate;
  }
  return out;
}

/**
 * Connects to an https:// endpoint as Airlock's clients do (direct, or through the proxy of the
 * policy with CONNECT), and reports the chain it presents, whether it verifies against Node's
 * roots plus the CA bundle, whether the name matches, the protocol and cipher, and what to do
 * about each problem. Reuses `doctorUrl` for the connection stages.
 */
export async function verifyTlsEndpoint(
  url: string,
  options: VerifyTlsOptions,
): Promise<TlsEndpointReport> {
  // Filled by the TLS stage; stays empty when the connection failed before it.
  const seen: { observed?: Observed } = {};
  const report = await doctorUrl(url, {
    policy: options.policy,
    ...(options.caBundle === undefined ? {} : { caBundle: options.caBundle }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    stopAfterTls: true,
    onTls: (socket) => {
      const reason = socket.authorized ? undefined : String(socket.authorizationError ?? '');
      const cipher = socket.getCipher();
      seen.observed = {
        chain: peerChain(socket),
        // The name is checked on its own below; only chain errors count here.
        verifyError: reason === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : reason || undefined,
        protocol: socket.getProtocol(),
        cipher: cipher ? (cipher.standardName ?? cipher.name) : null,
      };
    },
  });
  const host = report.route === 'invalid' ? '' : canonicalHost(new URL(url).hostname);
  const base = {
    url: report.url,
    host,
    route: report.route,
    proxy: report.proxy,
    rule: report.rule,
    stages: report.stages,
    ...(report.error === undefined ? {} : { error: report.error }),
  };
  const observed = seen.observed;
  if (!observed) {
    return {
      ...base,
      answered: false,
      protocol: null,
      cipher: null,
      chain: [],
      trusted: false,
      verifyError: null,
      hostMatches: false,
      daysUntilExpiry: null,
      findings: [],
      ok: false,
    };
  }
  const trustedPrints = fingerprintsOf([
    ...rootCertificates,
    ...(options.caBundle === undefined ? [] : [options.caBundle]),
  ]);
  const chain: ChainCertificate[] = observed.chain.map((cert) => ({
    ...certificateFacts(cert),
    trusted: trustedPrints.has(cert.fingerprint256),
  }));
  const findings = tlsEndpointFindings({
    host,
    chain,
    verifyError: observed.verifyError,
    nowMs: options.nowMs,
    ...(options.warnDays === undefined ? {} : { warnDays: options.warnDays }),
  });
  const leaf = chain[0];
  const connected = report.stages.every((s) => s.ok || s.name === 'tls');
  return {
    ...base,
    answered: true,
    protocol: observed.protocol,
    cipher: observed.cipher,
    chain,
    trusted: observed.verifyError === undefined,
    verifyError: observed.verifyError ?? null,
    hostMatches: leaf !== undefined && hostMatchesCertificate(host, leaf),
    daysUntilExpiry: leaf ? daysUntil(leaf.notAfterMs, options.nowMs) : null,
    findings,
    ok: connected && !findings.some((f) => f.severity === 'error'),
  };
}
