import {
  type CertificateFacts,
  type TlsFinding,
  coveredNames,
  daysUntil,
  isoSeconds,
} from './certificate-facts.js';
import { hostMatchesCertificate } from './certificate-names.js';
import { type NonPemContent, describeNonPem } from './pem-blocks.js';

/** What a certificate file held, as an adapter read it. */
export type CertificateFileContent =
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'no-certificate'; readonly holds: NonPemContent | 'private-key' }
  | {
      readonly kind: 'certificates';
      /** In file order: the leaf first, then its issuers. */
      readonly chain: readonly CertificateFacts[];
      /** `issued[i]`: chain[i + 1] issued chain[i] (names and signature). */
      readonly issued: readonly boolean[];
      /** Blocks that do not parse as certificates: their 1-based position and why. */
      readonly unparsable: readonly { readonly index: number; readonly reason: string }[];
    };

/** What a key file held. `matches`: whether it is the key of the leaf certificate. */
export type KeyFileContent =
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'no-key'; readonly holds: NonPemContent | 'certificate' }
  | { readonly kind: 'encrypted' }
  | { readonly kind: 'unparsable'; readonly reason: string }
  | { readonly kind: 'key'; readonly keyType: string; readonly matches: boolean | undefined };

export interface CertificateFileFacts {
  /** How the files are named in messages: `--tls-cert /etc/airlock/cert.pem`. */
  readonly certLabel: string;
  readonly keyLabel: string;
  readonly cert: CertificateFileContent;
  readonly key: KeyFileContent;
  /** The host clients will use (the public URL's), and where it comes from, for the name check. */
  readonly host?: { readonly name: string; readonly source: string };
  readonly nowMs: number;
  /** Warn when the leaf expires within this many days. Default 14. */
  readonly warnDays?: number;
}

function validity(
  cert: CertificateFacts,
  what: string,
  nowMs: number,
  warnDays: number,
): TlsFinding | undefined {
  if (nowMs < cert.notBeforeMs) {
    return {
      severity: 'error',
      code: 'not-yet-valid',
      message: `${what} (${cert.subject}) is not valid before ${isoSeconds(cert.notBeforeMs)}`,
      hint: 'check the clock of this machine, or wait until the certificate becomes valid',
    };
  }
  if (nowMs > cert.notAfterMs) {
    return {
      severity: 'error',
      code: 'expired',
      message: `${what} (${cert.subject}) expired on ${isoSeconds(cert.notAfterMs)}`,
      hint: 'renew it (certbot renew) and deploy the new certificate',
    };
  }
  const days = daysUntil(cert.notAfterMs, nowMs);
  if (days < warnDays) {
    return {
      severity: 'warning',
      code: 'expiring-soon',
      message: `${what} (${cert.subject}) expires in ${days} day${days === 1 ? '' : 's'}, on ${isoSeconds(cert.notAfterMs)}`,
      hint: 'renew it soon; the server picks up renewed files on SIGHUP',
    };
  }
  return undefined;
}

function certificateFindings(facts: CertificateFileFacts, warnDays: number): TlsFinding[] {
  const { cert, certLabel } = facts;
  if (cert.kind === 'unreadable') {
    return [
      {
        severity: 'error',
        code: 'cert-unreadable',
        message: `cannot read ${certLabel}: ${cert.reason}`,
        hint: 'check the path and that this user may read it',
      },
    ];
  }
  if (cert.kind === 'no-certificate') {
    return [
      {
        severity: 'error',
        code: 'cert-not-pem',
        message: `${certLabel} holds no PEM certificate: it holds ${cert.holds === 'private-key' ? 'a private key (swapped with the key file?)' : describeNonPem(cert.holds, 'certificate')}`,
        hint: 'give the PEM certificate chain: the server certificate first, then its intermediates (certbot: fullchain.pem)',
      },
    ];
  }
  const out: TlsFinding[] = cert.unparsable.map((u) => ({
    severity: 'error' as const,
    code: 'cert-unparsable' as const,
    message: `${certLabel}: certificate #${u.index} does not parse: ${u.reason}`,
  }));
  const leaf = cert.chain[0];
  if (leaf === undefined) return out;
  const v = validity(leaf, `the certificate in ${certLabel}`, facts.nowMs, warnDays);
  if (v) out.push(v);
  cert.chain.slice(1).forEach((ca, i) => {
    const found = validity(ca, `certificate #${i + 2} of ${certLabel}`, facts.nowMs, warnDays);
    if (found) out.push(found);
  });
  cert.issued.forEach((ok, i) => {
    if (ok) return;
    const child = cert.chain[i] as CertificateFacts;
    const parent = cert.chain[i + 1] as CertificateFacts;
    out.push({
      severity: 'warning',
      code: 'chain-order',
      message: `${certLabel}: certificate #${i + 2} (${parent.subject}) did not issue certificate #${i + 1} (${child.subject}, issued by ${child.issuer})`,
      hint: 'put the server certificate first, then the CA that issued it, then that CA’s issuer',
    });
  });
  if (cert.chain.length === 1 && !leaf.selfSigned) {
    out.push({
      severity: 'info',
      code: 'leaf-only',
      message: `${certLabel} holds only the server certificate, issued by ${leaf.issuer}`,
      hint: 'if that issuer is an intermediate CA, append it (certbot: use fullchain.pem): clients that do not have it cannot verify the server',
    });
  }
  if (!leaf.hasSubjectAltName || leaf.dnsNames.length + leaf.ipAddresses.length === 0) {
    out.push({
      severity: 'warning',
      code: 'no-subject-alt-name',
      message: `the certificate in ${certLabel} names no host in a subjectAltName extension${leaf.commonName ? ` (only CN=${leaf.commonName})` : ''}`,
      hint: 'browsers ignore the CN: issue the certificate with subjectAltName DNS (or IP) entries',
    });
  }
  if (facts.host && !hostMatchesCertificate(facts.host.name, leaf)) {
    const names = coveredNames(leaf);
    out.push({
      severity: 'warning',
      code: 'name-mismatch',
      message: `the certificate in ${certLabel} does not cover ${facts.host.name} (${facts.host.source}); it covers ${names.length > 0 ? names.join(', ') : 'no name'}`,
      hint: 'clients reaching the server by that name will refuse it: use a certificate for that name, or set --public-url to a name it covers',
    });
  }
  return out;
}

function keyFindings(facts: CertificateFileFacts): TlsFinding[] {
  const { key, keyLabel, certLabel } = facts;
  switch (key.kind) {
    case 'unreadable':
      return [
        {
          severity: 'error',
          code: 'key-unreadable',
          message: `cannot read ${keyLabel}: ${key.reason}`,
          hint: 'check the path and that this user may read it (keep the key mode 0600)',
        },
      ];
    case 'no-key':
      return [
        {
          severity: 'error',
          code: 'key-not-pem',
          message: `${keyLabel} holds no PEM private key: it holds ${key.holds === 'certificate' ? 'a certificate (swapped with the certificate file?)' : describeNonPem(key.holds, 'key')}`,
          hint: 'give the PEM private key (certbot: privkey.pem)',
        },
      ];
    case 'encrypted':
      return [
        {
          severity: 'error',
          code: 'key-encrypted',
          message: `${keyLabel} is encrypted with a passphrase`,
          hint: 'give an unencrypted key and protect it with file permissions (openssl pkey -in KEY -out KEY.plain; chmod 600)',
        },
      ];
    case 'unparsable':
      return [
        {
          severity: 'error',
          code: 'key-unparsable',
          message: `${keyLabel} does not parse as a private key: ${key.reason}`,
        },
      ];
    case 'key':
      return key.matches === false
        ? [
            {
              severity: 'error',
              code: 'key-mismatch',
              message: `the ${key.keyType} key in ${keyLabel} does not match the certificate in ${certLabel}`,
              hint: 'give the key the certificate was issued for (certbot: privkey.pem of the same lineage)',
            },
          ]
        : [];
  }
}

/**
 * Every problem with a certificate and key pair before it is served: unreadable or non-PEM
 * files, an encrypted or mismatched key, a certificate (or a CA of its chain) expired, not yet
 * valid or expiring within `warnDays` days, a chain out of order, a leaf without its
 * intermediates, and names that do not cover the host clients use. Errors first.
 */
export function certificateFileFindings(facts: CertificateFileFacts): TlsFinding[] {
  const warnDays = facts.warnDays ?? 14;
  const all = [...certificateFindings(facts, warnDays), ...keyFindings(facts)];
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return all.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
