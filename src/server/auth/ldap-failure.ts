import { ResultCodeError } from 'ldapts';

const certificateCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Says in an operator's words why talking to the directory failed: nothing listening, a name
 * that does not resolve, no answer in time, an untrusted certificate, or the directory's own
 * result code. Never quotes a password (none reaches these errors).
 */
export function describeLdapFailure(
  error: unknown,
  context: { readonly host: string; readonly connectTimeoutMs: number; readonly timeoutMs: number },
): { reason: string; hint?: string } {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  if (error instanceof ResultCodeError) {
    return {
      reason: `${error.name.replace(/Error$/, '')} (result code ${error.code}): ${message}`,
    };
  }
  if (code === 'ECONNREFUSED') {
    return {
      reason: `nothing listens at ${context.host} (connection refused)`,
      hint: 'is the directory running, and is the port right? (389 for ldap://, 636 for ldaps://)',
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { reason: `the host of ${context.host} is not known (DNS: ${String(code)})` };
  }
  if (code === 'ECONNRESET' || /Connection closed|socket hang up/i.test(message)) {
    return {
      reason: `${context.host} closed the connection (${message})`,
      hint: 'ldaps:// against a plain port, or ldap:// against a TLS port? StartTLS needs ldap://',
    };
  }
  if (code === 'ETIMEDOUT' || /Connection timeout/i.test(message)) {
    return {
      reason: `no connection to ${context.host} within ${context.connectTimeoutMs} ms`,
      hint: 'a firewall may drop the traffic; check the host, the port and --ldap-connect-timeout-ms',
    };
  }
  if (/timed out/i.test(message)) {
    return {
      reason: `no answer from ${context.host} within ${context.timeoutMs} ms`,
      hint: 'raise --ldap-timeout-ms if the directory is slow',
    };
  }
  if (typeof code === 'string' && certificateCodes.has(code)) {
    return {
      reason: `the directory's TLS certificate is not trusted (${code}: ${message})`,
      hint:
        code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'the certificate does not name the host of --ldap-url; use the name it was issued for'
          : 'give the CA that signed it with --ldap-ca-file (PEM), or AIRLOCK_CA_BUNDLE',
    };
  }
  return { reason: message || 'unknown failure' };
}
