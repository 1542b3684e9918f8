import { X509Certificate } from 'node:crypto';
import type { CertificateFacts } from '../../shared/certificate-facts.js';
import { parseSubjectAltName } from '../../shared/certificate-names.js';

const curveBits: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp256r1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
};

const keyTypeNames: Readonly<Record<string, string>> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  ec: 'EC',
  dsa: 'DSA',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
};

/** Node's `asymmetricKeyType` as people write it: `RSA`, `EC`, `Ed25519`, … */
export function keyTypeName(type: string | undefined): string {
  return type === undefined ? 'unknown' : (keyTypeNames[type] ?? type);
}

/** `CN=a\, b\nO=Org` (Node's multi-line form) → `CN=a\, b, O=Org`. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function commonNameOf(subject: string): string | undefined {
  for (const line of subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3).replace(/\\(.)/g, '$1');
  }
  return undefined;
}

/** Reads the facts the checks need from a parsed certificate. */
export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const names = parseSubjectAltName(cert.subjectAltName);
  const keyType = cert.publicKey.asymmetricKeyType ?? 'unknown';
  const details = cert.publicKey.asymmetricKeyDetails ?? {};
  const keyBits =
    details.modulusLength ??
    (details.namedCurve ? curveBits[details.namedCurve] : undefined) ??
    (keyType === 'ed25519' ? 256 : keyType === 'ed448' ? 456 : undefined);
  const commonName = commonNameOf(cert.subject);
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    ...(commonName === undefined ? {} : { commonName }),
    serialNumber: cert.serialNumber.toUpperCase(),
    notBeforeMs: Date.parse(cert.validFrom),
    notAfterMs: Date.parse(cert.validTo),
    dnsNames: names.dnsNames,
    ipAddresses: names.ipAddresses,
    hasSubjectAltName: cert.subjectAltName !== undefined,
    keyType: keyTypeName(keyType),
    ...(keyBits === undefined ? {} : { keyBits }),
    fingerprint256: cert.fingerprint256,
    isCa: cert.ca,
    selfSigned: cert.subject === cert.issuer && cert.verify(cert.publicKey),
  };
}

/** Whether `issuer` issued `cert`: names match and the signature verifies with its key. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** SHA-256 fingerprints of every certificate in PEM text (blocks that do not parse are skipped). */
export function fingerprintsOf(pems: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const pem of pems) {
    for (const block of pem.split(/(?=-----BEGIN CERTIFICATE-----)/)) {
      if (!block.includes('-----BEGIN CERTIFICATE-----')) continue;
      try {
        out.add(new X509Certificate(block).fingerprint256);
      } catch {
        // not a certificate: nothing to trust
      }
    }
  }
  return out;
}
