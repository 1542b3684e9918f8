import { describe, expect, it } from 'vitest';
import { type ChainCertificate, tlsEndpointFindings } from './tls-endpoint-findings.js';

const day = 86_400_000;
const now = Date.UTC(2025, 5, 1);

function cert(overrides: Partial<ChainCertificate> = {}): ChainCertificate {
  return {
    subject: 'CN=ci.example.com',
    issuer: 'CN=Example Intermediate',
    commonName: 'ci.example.com',
    serialNumber: '01',
    notBeforeMs: now - 10 * day,
    notAfterMs: now + 80 * day,
    dnsNames: ['ci.example.com'],
    ipAddresses: [],
    hasSubjectAltName: true,
    keyType: 'EC',
    keyBits: 256,
    fingerprint256: 'AA',
    isCa: false,
    selfSigned: false,
    trusted: false,
    ...overrides,
  };
}

const intermediate = cert({
  subject: 'CN=Example Intermediate',
  issuer: 'CN=Example Root',
  dnsNames: [],
  isCa: true,
});
const root = cert({
  subject: 'CN=Example Root',
  issuer: 'CN=Example Root',
  dnsNames: [],
  isCa: true,
  selfSigned: true,
  trusted: true,
});

function codes(chain: ChainCertificate[], verifyError?: string, host = 'ci.example.com') {
  return tlsEndpointFindings({ host, chain, verifyError, nowMs: now }).map((f) => [
    f.code,
    f.message,
    f.hint,
  ]);
}

describe('tlsEndpointFindings', () => {
  it('finds nothing wrong with a verified chain for the right name', () => {
    expect(codes([cert(), intermediate, root])).toEqual([]);
  });

  it('says the server sends only its leaf when that is all it sent and the issuer is unknown', () => {
    expect(codes([cert()], 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toEqual([
      [
        'missing-intermediate',
        'the server sends only its leaf certificate; its issuer CN=Example Intermediate is not one of the trusted CAs',
        'configure the full chain on the server (the certificate, then its intermediate CAs; certbot: fullchain.pem). If CN=Example Intermediate is itself your private root CA, pass it with --ca-bundle instead',
      ],
    ]);
  });

  it('names the unknown issuer of a full chain and says to pass it with --ca-bundle', () => {
    const [finding] = codes([cert(), intermediate], 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(finding?.[0]).toBe('unknown-issuer');
    expect(finding?.[1]).toBe(
      'unknown issuer: the chain ends at CN=Example Intermediate, issued by CN=Example Root, which is not one of the trusted CAs',
    );
    expect(finding?.[2]).toMatch(/^pass the issuer’s CA with --ca-bundle/);
    const sentRoot = codes(
      [cert(), intermediate, { ...root, trusted: false }],
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    expect(sentRoot[0]?.[0]).toBe('unknown-issuer');
    expect(sentRoot[0]?.[1]).toContain('the chain ends at the root CA CN=Example Root');
  });

  it('says a self-signed certificate is self-signed', () => {
    const self = cert({ issuer: 'CN=ci.example.com', selfSigned: true });
    expect(codes([self], 'DEPTH_ZERO_SELF_SIGNED_CERT')[0]?.[0]).toBe('self-signed');
  });

  it('reports a name mismatch with the names the certificate covers', () => {
    expect(codes([cert(), intermediate, root], undefined, 'build.example.com')).toEqual([
      [
        'name-mismatch',
        'the certificate does not cover build.example.com: it covers ci.example.com',
        'connect with a name it covers, or reissue the certificate with build.example.com in its subjectAltName',
      ],
    ]);
  });

  it('reports an expired leaf or intermediate once, whatever OpenSSL named first', () => {
    expect(
      codes([cert({ notAfterMs: now - day }), intermediate, root], 'CERT_HAS_EXPIRED'),
    ).toEqual([
      [
        'expired',
        'the server certificate expired on 2025-05-31T00:00:00Z',
        'renew the certificate on the server (certbot renew), then reload it (airlock server: SIGHUP)',
      ],
    ]);
    // OpenSSL stops at the unknown issuer; the expiry is still found.
    expect(
      codes(
        [cert(), { ...intermediate, notAfterMs: now - day }],
        'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      ).map((f) => f[0]),
    ).toEqual(['expired', 'unknown-issuer']);
  });

  it('warns when a certificate of the chain expires within 14 days, without failing', () => {
    const findings = tlsEndpointFindings({
      host: 'ci.example.com',
      chain: [cert({ notAfterMs: now + 3 * day }), intermediate, root],
      nowMs: now,
    });
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'expiring-soon',
        message: 'the server certificate expires in 3 days, on 2025-06-04T00:00:00Z',
      }),
    ]);
  });

  it('falls back to OpenSSL’s code for anything else', () => {
    expect(codes([cert(), intermediate], 'CERT_REVOKED')[0]?.slice(0, 2)).toEqual([
      'untrusted',
      'the certificate chain does not verify: CERT_REVOKED',
    ]);
  });
});
