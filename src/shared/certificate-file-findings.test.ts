import { describe, expect, it } from 'vitest';
import type { CertificateFacts } from './certificate-facts.js';
import {
  type CertificateFileContent,
  type CertificateFileFacts,
  type KeyFileContent,
  certificateFileFindings,
} from './certificate-file-findings.js';

const day = 86_400_000;
const now = Date.UTC(2025, 5, 1);

function cert(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
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
    ...overrides,
  };
}

const intermediate = cert({
  subject: 'CN=Example Intermediate',
  issuer: 'CN=Example Root',
  commonName: 'Example Intermediate',
  dnsNames: [],
  hasSubjectAltName: false,
  isCa: true,
});

const goodKey: KeyFileContent = { kind: 'key', keyType: 'EC', matches: true };

function findings(
  certContent: CertificateFileContent,
  key: KeyFileContent = goodKey,
  extra: Partial<CertificateFileFacts> = {},
) {
  return certificateFileFindings({
    certLabel: '--tls-cert c.pem',
    keyLabel: '--tls-key k.pem',
    cert: certContent,
    key,
    nowMs: now,
    ...extra,
  }).map((f) => [f.severity, f.code, f.message]);
}

const chain = (...certs: CertificateFacts[]): CertificateFileContent => ({
  kind: 'certificates',
  chain: certs,
  issued: certs.slice(1).map(() => true),
  unparsable: [],
});

describe('certificateFileFindings', () => {
  it('finds nothing wrong with a current full chain, a matching key and a covered host', () => {
    expect(
      findings(chain(cert(), intermediate), goodKey, {
        host: { name: 'ci.example.com', source: 'the public URL' },
      }),
    ).toEqual([]);
  });

  it('reports unreadable and non-PEM files, naming them', () => {
    expect(
      findings(
        { kind: 'unreadable', reason: 'no such file' },
        { kind: 'unreadable', reason: 'permission denied' },
      ),
    ).toEqual([
      ['error', 'cert-unreadable', 'cannot read --tls-cert c.pem: no such file'],
      ['error', 'key-unreadable', 'cannot read --tls-key k.pem: permission denied'],
    ]);
    expect(
      findings({ kind: 'no-certificate', holds: 'der' }, { kind: 'no-key', holds: 'certificate' }),
    ).toEqual([
      [
        'error',
        'cert-not-pem',
        '--tls-cert c.pem holds no PEM certificate: it holds binary DER, not PEM (convert it: openssl x509 -inform der -in FILE -out FILE.pem)',
      ],
      [
        'error',
        'key-not-pem',
        '--tls-key k.pem holds no PEM private key: it holds a certificate (swapped with the certificate file?)',
      ],
    ]);
  });

  it('reports an encrypted, unparsable or mismatched key', () => {
    expect(findings(chain(cert(), intermediate), { kind: 'encrypted' })).toEqual([
      ['error', 'key-encrypted', '--tls-key k.pem is encrypted with a passphrase'],
    ]);
    expect(
      findings(chain(cert(), intermediate), { kind: 'key', keyType: 'RSA', matches: false }),
    ).toEqual([
      [
        'error',
        'key-mismatch',
        'the RSA key in --tls-key k.pem does not match the certificate in --tls-cert c.pem',
      ],
    ]);
  });

  it('errs on expired and not-yet-valid certificates, warns 14 days ahead, and checks every CA of the chain', () => {
    expect(findings(chain(cert({ notAfterMs: now - day }), intermediate))).toEqual([
      [
        'error',
        'expired',
        'the certificate in --tls-cert c.pem (CN=ci.example.com) expired on 2025-05-31T00:00:00Z',
      ],
    ]);
    expect(findings(chain(cert({ notBeforeMs: now + day }), intermediate))).toEqual([
      [
        'error',
        'not-yet-valid',
        'the certificate in --tls-cert c.pem (CN=ci.example.com) is not valid before 2025-06-02T00:00:00Z',
      ],
    ]);
    expect(findings(chain(cert({ notAfterMs: now + 13 * day + 1 }), intermediate))).toEqual([
      [
        'warning',
        'expiring-soon',
        'the certificate in --tls-cert c.pem (CN=ci.example.com) expires in 13 days, on 2025-06-14T00:00:00Z',
      ],
    ]);
    expect(findings(chain(cert({ notAfterMs: now + 14 * day }), intermediate))).toEqual([]);
    expect(findings(chain(cert(), { ...intermediate, notAfterMs: now - day }))).toEqual([
      [
        'error',
        'expired',
        'certificate #2 of --tls-cert c.pem (CN=Example Intermediate) expired on 2025-05-31T00:00:00Z',
      ],
    ]);
  });

  it('warns when the names do not cover the host, saying what they cover', () => {
    expect(
      findings(
        chain(
          cert({ dnsNames: ['a.example.com', '*.b.example.com'], ipAddresses: ['10.0.0.1'] }),
          intermediate,
        ),
        goodKey,
        {
          host: { name: 'ci.example.com', source: 'the public URL https://ci.example.com/' },
        },
      ),
    ).toEqual([
      [
        'warning',
        'name-mismatch',
        'the certificate in --tls-cert c.pem does not cover ci.example.com (the public URL https://ci.example.com/); it covers a.example.com, *.b.example.com, 10.0.0.1',
      ],
    ]);
  });

  it('warns about a certificate without subjectAltName, and a chain out of order', () => {
    const noSan = cert({ dnsNames: [], hasSubjectAltName: false });
    expect(findings(chain(noSan, intermediate))).toEqual([
      [
        'warning',
        'no-subject-alt-name',
        'the certificate in --tls-cert c.pem names no host in a subjectAltName extension (only CN=ci.example.com)',
      ],
    ]);
    expect(
      findings({
        kind: 'certificates',
        chain: [cert(), intermediate],
        issued: [false],
        unparsable: [],
      }),
    ).toEqual([
      [
        'warning',
        'chain-order',
        '--tls-cert c.pem: certificate #2 (CN=Example Intermediate) did not issue certificate #1 (CN=ci.example.com, issued by CN=Example Intermediate)',
      ],
    ]);
  });

  it('notes a leaf without its issuer, but not a self-signed certificate', () => {
    expect(findings(chain(cert()))).toEqual([
      [
        'info',
        'leaf-only',
        '--tls-cert c.pem holds only the server certificate, issued by CN=Example Intermediate',
      ],
    ]);
    expect(findings(chain(cert({ selfSigned: true, issuer: 'CN=ci.example.com' })))).toEqual([]);
  });

  it('puts errors first', () => {
    const result = findings(
      chain(cert({ dnsNames: ['other'] })),
      { kind: 'key', keyType: 'EC', matches: false },
      {
        host: { name: 'ci.example.com', source: '--host' },
      },
    );
    expect(result.map((r) => r[1])).toEqual(['key-mismatch', 'name-mismatch', 'leaf-only']);
  });
});
