import {
  type CertificateFacts,
  type TlsFinding,
  coveredNames,
  daysUntil,
  isoSeconds,
} from './certificate-facts.js';
import { hostMatchesCertificate } from './certificate-names.js';

/** A certificate of the chain a client saw: sent by the server, or one of the trusted CAs. */
export interface ChainCertificate extends CertificateFacts {
  /** The certificate is one of the trusted CAs (Node's roots or the CA bundle). */
  readonly trusted: boolean;
}

export interface TlsEndpointFacts {
  /** The host name the client asked for. */
  readonly host: string;
  /** The leaf first, then its issuers as far as the client could follow them. */
  readonly chain: readonly ChainCertificate[];
  /** OpenSSL's verification error code (`UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, …); none when the chain verified. */
  readonly verifyError?: string | undefined;
  readonly nowMs: number;
  /** Warn when a certificate expires within this many days. Default 14. */
  readonly warnDays?: number;
}

const issuerMissing = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

function validityFindings(chain: readonly ChainCertificate[], nowMs: number, warnDays: number) {
  const out: TlsFinding[] = [];
  chain.forEach((cert, i) => {
    const what = i === 0 ? 'the server certificate' : `the CA certificate ${cert.subject}`;
    if (nowMs > cert.notAfterMs) {
      out.push({
        severity: 'error',
        code: 'expired',
        message: `${what} expired on ${isoSeconds(cert.notAfterMs)}`,
        hint:
          i === 0
            ? 'renew the certificate on the server (certbot renew), then reload it (airlock server: SIGHUP)'
            : 'the server must send a current intermediate: configure the chain its CA publishes today',
      });
    } else if (nowMs < cert.notBeforeMs) {
      out.push({
        severity: 'error',
        code: 'not-yet-valid',
        message: `${what} is not valid before ${isoSeconds(cert.notBeforeMs)}`,
        hint: 'check the clocks of this machine and of the machine that issued it',
      });
    } else {
      const days = daysUntil(cert.notAfterMs, nowMs);
      if (days < warnDays) {
        out.push({
          severity: 'warning',
          code: 'expiring-soon',
          message: `${what} expires in ${days} day${days === 1 ? '' : 's'}, on ${isoSeconds(cert.notAfterMs)}`,
          hint: 'renew it before then',
        });
      }
    }
  });
  return out;
}

function trustFinding(facts: TlsEndpointFacts, leaf: ChainCertificate): TlsFinding | undefined {
  const code = facts.verifyError;
  if (code === undefined || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return undefined;
  const sent = facts.chain.filter((c) => !c.trusted);
  const top = facts.chain[facts.chain.length - 1] ?? leaf;
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return {
      severity: 'error',
      code: 'self-signed',
      message: `the server certificate is self-signed (${leaf.subject}) and is not one of the trusted CAs`,
      hint: 'pass that certificate with --ca-bundle to trust it, or give the server one issued by your CA',
    };
  }
  if (code === 'SELF_SIGNED_CERT_IN_CHAIN') {
    return {
      severity: 'error',
      code: 'unknown-issuer',
      message: `unknown issuer: the chain ends at the root CA ${top.subject}, which is not one of the trusted CAs`,
      hint: 'pass the issuer’s CA with --ca-bundle (the PEM certificate of that root)',
    };
  }
  if (issuerMissing.has(code)) {
    if (sent.length === 1 && !leaf.selfSigned) {
      return {
        severity: 'error',
        code: 'missing-intermediate',
        message: `the server sends only its leaf certificate; its issuer ${leaf.issuer} is not one of the trusted CAs`,
        hint: `configure the full chain on the server (the certificate, then its intermediate CAs; certbot: fullchain.pem). If ${leaf.issuer} is itself your private root CA, pass it with --ca-bundle instead`,
      };
    }
    return {
      severity: 'error',
      code: 'unknown-issuer',
      message: `unknown issuer: the chain ends at ${top.subject}, issued by ${top.issuer}, which is not one of the trusted CAs`,
      hint: 'pass the issuer’s CA with --ca-bundle (the PEM certificate of the root that signed this chain)',
    };
  }
  return {
    severity: 'error',
    code: 'untrusted',
    message: `the certificate chain does not verify: ${code}`,
    hint: 'inspect the chain above; openssl verify -CAfile BUNDLE CHAIN tells more',
  };
}

/**
 * What is wrong with the TLS certificate an endpoint presented, and what to do: expired or not
 * yet valid certificates (any of the chain), a missing intermediate ("the server sends only its
 * leaf"), an unknown issuer, a self-signed certificate, a name mismatch (naming what it covers),
 * and expiry within `warnDays` days. Errors first; none means the endpoint verifies.
 */
export function tlsEndpointFindings(facts: TlsEndpointFacts): TlsFinding[] {
  const leaf = facts.chain[0];
  if (leaf === undefined) {
    return [
      {
        severity: 'error',
        code: 'untrusted',
        message: 'the server presented no certificate',
      },
    ];
  }
  const warnDays = facts.warnDays ?? 14;
  const out = validityFindings(facts.chain, facts.nowMs, warnDays);
  const trust = trustFinding(facts, leaf);
  if (trust) out.push(trust);
  if (
    (facts.verifyError === 'CERT_HAS_EXPIRED' || facts.verifyError === 'CERT_NOT_YET_VALID') &&
    !out.some((f) => f.code === 'expired' || f.code === 'not-yet-valid')
  ) {
    out.push({
      severity: 'error',
      code: facts.verifyError === 'CERT_HAS_EXPIRED' ? 'expired' : 'not-yet-valid',
      message: `a certificate of the chain is ${facts.verifyError === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'} (${facts.verifyError})`,
    });
  }
  if (!hostMatchesCertificate(facts.host, leaf)) {
    const names = coveredNames(leaf);
    out.push({
      severity: 'error',
      code: 'name-mismatch',
      message: `the certificate does not cover ${facts.host}: it covers ${names.length > 0 ? names.join(', ') : 'no name'}`,
      hint: `connect with a name it covers, or reissue the certificate with ${facts.host} in its subjectAltName`,
    });
  }
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
