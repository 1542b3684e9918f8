import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CertificateFacts, TlsFinding } from '../../shared/certificate-facts.js';
import {
  type CertificateFileContent,
  type KeyFileContent,
  certificateFileFindings,
} from '../../shared/certificate-file-findings.js';
import { nonPemContent, pemBlocks } from '../../shared/pem-blocks.js';
import { certificateFacts, issuedBy, keyTypeName } from './certificate-facts-of.js';

export interface CertificateFiles {
  readonly certPath: string;
  readonly keyPath: string;
  /** How messages name the files; default the paths. */
  readonly certLabel?: string;
  readonly keyLabel?: string;
  /** The host clients use and where it comes from (`the public URL https://…`). */
  readonly host?: { readonly name: string; readonly source: string };
  readonly nowMs: number;
  readonly warnDays?: number;
}

export interface InspectedCertificateFiles {
  /** Errors first. Errors mean the pair cannot be served. */
  readonly findings: readonly TlsFinding[];
  readonly ok: boolean;
  /** The certificates of the certificate file, leaf first. */
  readonly chain: readonly CertificateFacts[];
  /** PEM for `tls.createSecureContext`, when both files parsed (certificates only; the one key). */
  readonly pem?: { readonly cert: string; readonly key: string };
}

function readBytes(path: string): Buffer | { reason: string } {
  try {
    return readFileSync(path);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason =
      e.code === 'ENOENT'
        ? 'no such file'
        : e.code === 'EACCES'
          ? 'permission denied'
          : e.code === 'EISDIR'
            ? 'it is a folder'
            : (e.code ?? e.message);
    return { reason };
  }
}

const isKeyLabel = (label: string): boolean => label.endsWith('PRIVATE KEY');

function readCertificates(path: string): {
  content: CertificateFileContent;
  x509: X509Certificate[];
  pem: string;
} {
  const bytes = readBytes(path);
  if (!Buffer.isBuffer(bytes))
    return { content: { kind: 'unreadable', reason: bytes.reason }, x509: [], pem: '' };
  const blocks = pemBlocks(bytes.toString('utf8'));
  const certBlocks = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certBlocks.length === 0) {
    const holds = blocks.some((b) => isKeyLabel(b.label)) ? 'private-key' : nonPemContent(bytes);
    return { content: { kind: 'no-certificate', holds }, x509: [], pem: '' };
  }
  const x509: X509Certificate[] = [];
  const unparsable: { index: number; reason: string }[] = [];
  certBlocks.forEach((block, i) => {
    try {
      x509.push(new X509Certificate(block.text));
    } catch (error) {
      unparsable.push({ index: i + 1, reason: (error as Error).message });
    }
  });
  const issued = x509.slice(1).map((parent, i) => issuedBy(x509[i] as X509Certificate, parent));
  return {
    content: { kind: 'certificates', chain: x509.map(certificateFacts), issued, unparsable },
    x509,
    pem: certBlocks.map((b) => b.text).join(''),
  };
}

function readKey(
  path: string,
  leaf: X509Certificate | undefined,
): { content: KeyFileContent; pem: string } {
  const bytes = readBytes(path);
  if (!Buffer.isBuffer(bytes))
    return { content: { kind: 'unreadable', reason: bytes.reason }, pem: '' };
  const blocks = pemBlocks(bytes.toString('utf8'));
  const block = blocks.find((b) => isKeyLabel(b.label));
  if (block === undefined) {
    const holds = blocks.some((b) => b.label === 'CERTIFICATE')
      ? 'certificate'
      : nonPemContent(bytes);
    return { content: { kind: 'no-key', holds }, pem: '' };
  }
  if (block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(block.headers['Proc-Type'] ?? ''))
    return { content: { kind: 'encrypted' }, pem: '' };
  try {
    const key = createPrivateKey(block.text);
    const type = keyTypeName(key.asymmetricKeyType);
    return {
      content: {
        kind: 'key',
        keyType: type,
        matches: leaf ? leaf.checkPrivateKey(key) : undefined,
      },
      pem: block.text,
    };
  } catch (error) {
    return { content: { kind: 'unparsable', reason: (error as Error).message }, pem: '' };
  }
}

/**
 * Reads a certificate chain file and its private key and checks them as the server does before
 * serving them and `airlock tls verify --cert --key` does before they are deployed. Never
 * throws: every problem is a finding (`certificateFileFindings`).
 */
export function inspectCertificateFiles(files: CertificateFiles): InspectedCertificateFiles {
  const cert = readCertificates(files.certPath);
  const key = readKey(files.keyPath, cert.x509[0]);
  const findings = certificateFileFindings({
    certLabel: files.certLabel ?? files.certPath,
    keyLabel: files.keyLabel ?? files.keyPath,
    cert: cert.content,
    key: key.content,
    ...(files.host ? { host: files.host } : {}),
    nowMs: files.nowMs,
    ...(files.warnDays === undefined ? {} : { warnDays: files.warnDays }),
  });
  const ok = !findings.some((f) => f.severity === 'error');
  return {
    findings,
    ok,
    chain: cert.content.kind === 'certificates' ? cert.content.chain : [],
    ...(ok && cert.pem && key.pem ? { pem: { cert: cert.pem, key: key.pem } } : {}),
  };
}
