import { rootCertificates } from 'node:tls';

/**
 * The certificate authorities Airlock's clients trust: Node's bundled public roots plus the
 * operator's CA bundle (PEM, one or more certificates), so internal hosts signed by a private
 * CA and public hosts both verify.
 */
export function trustedCas(caBundle?: string | Buffer): string[] | undefined {
  if (caBundle === undefined) return undefined;
  const pem = typeof caBundle === 'string' ? caBundle : caBundle.toString('utf8');
  return [...rootCertificates, pem];
}
