/**
 * What Airlock knows about one X.509 certificate, read by an adapter (src/net/tls) so the checks
 * on it stay pure, and what a check says about it.
 */
export interface CertificateFacts {
  /** One line, RDNs in certificate order: `CN=ci.example.com, O=Example`. */
  readonly subject: string;
  readonly issuer: string;
  /** The subject's CN, when it has one (Node's last resort for name matching). */
  readonly commonName?: string;
  /** Hex, upper case, as `openssl x509 -serial` prints it. */
  readonly serialNumber: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** DNS names of the subjectAltName extension (wildcards as written). */
  readonly dnsNames: readonly string[];
  /** IP addresses of the subjectAltName extension, canonical (`::1`, `127.0.0.1`). */
  readonly ipAddresses: readonly string[];
  /** The certificate has a subjectAltName extension at all (it may list only e-mail names). */
  readonly hasSubjectAltName: boolean;
  /** `RSA`, `EC`, `Ed25519`, … */
  readonly keyType: string;
  /** RSA modulus or EC curve size in bits, when known. */
  readonly keyBits?: number;
  /** `AA:BB:…`, SHA-256 of the DER. */
  readonly fingerprint256: string;
  /** basicConstraints CA:TRUE. */
  readonly isCa: boolean;
  /** Subject and issuer are the same and it verifies with its own key (a root, or self-signed). */
  readonly selfSigned: boolean;
}

export type TlsFindingSeverity = 'error' | 'warning' | 'info';

export type TlsFindingCode =
  | 'cert-unreadable'
  | 'cert-not-pem'
  | 'cert-unparsable'
  | 'key-unreadable'
  | 'key-not-pem'
  | 'key-encrypted'
  | 'key-unparsable'
  | 'key-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'expiring-soon'
  | 'name-mismatch'
  | 'no-subject-alt-name'
  | 'chain-order'
  | 'leaf-only'
  | 'missing-intermediate'
  | 'unknown-issuer'
  | 'self-signed'
  | 'untrusted';

/** One result of a TLS check: what is wrong (or worth knowing) and what to do about it. */
export interface TlsFinding {
  readonly severity: TlsFindingSeverity;
  readonly code: TlsFindingCode;
  readonly message: string;
  /** What to do. */
  readonly hint?: string;
}

const dayMs = 86_400_000;

/** Whole days from `nowMs` until the certificate expires; negative once expired. */
export function daysUntil(notAfterMs: number, nowMs: number): number {
  return Math.floor((notAfterMs - nowMs) / dayMs);
}

/** `2025-03-01T12:00:00Z`: second precision, UTC. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The names a certificate covers, for messages: DNS names then IP addresses. */
export function coveredNames(facts: CertificateFacts): string[] {
  const names = [...facts.dnsNames, ...facts.ipAddresses];
  if (names.length === 0 && facts.commonName !== undefined) names.push(`CN=${facts.commonName}`);
  return names;
}
