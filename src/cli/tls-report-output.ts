import type { TlsEndpointReport } from '../net/tls/verify-tls-endpoint.js';
import {
  type CertificateFacts,
  type TlsFinding,
  coveredNames,
  daysUntil,
  isoSeconds,
} from '../shared/certificate-facts.js';
import type { Output } from './output.js';

function keyText(cert: CertificateFacts): string {
  return cert.keyBits === undefined ? cert.keyType : `${cert.keyType} ${cert.keyBits} bits`;
}

/** One certificate as an indented block: subject, issuer, names, validity, key, fingerprint. */
export function printCertificate(
  output: Output,
  cert: CertificateFacts,
  heading: string,
  nowMs: number,
): void {
  const days = daysUntil(cert.notAfterMs, nowMs);
  const left = days < 0 ? `expired ${-days} day(s) ago` : `${days} day(s) left`;
  const names = coveredNames(cert);
  output.out(`  ${heading} ${cert.subject}`);
  output.out(`      issuer:   ${cert.issuer}${cert.selfSigned ? ' (self-signed)' : ''}`);
  if (!cert.isCa) output.out(`      names:    ${names.length > 0 ? names.join(', ') : '(none)'}`);
  output.out(
    `      valid:    ${isoSeconds(cert.notBeforeMs)} to ${isoSeconds(cert.notAfterMs)} (${left})`,
  );
  output.out(`      key:      ${keyText(cert)}${cert.isCa ? ', CA' : ''}`);
  output.out(`      serial:   ${cert.serialNumber}`);
  output.out(`      sha256:   ${cert.fingerprint256}`);
}

/** Findings as `error: …` / `warning: …` / `note: …` lines, each with its `fix:`. */
export function printFindings(output: Output, findings: readonly TlsFinding[]): void {
  for (const f of findings) {
    const label = f.severity === 'info' ? 'note' : f.severity;
    output.out(`${label}: ${f.message}`);
    if (f.hint) output.out(`  fix: ${f.hint}`);
  }
}

/** The human form of `airlock tls verify URL`. */
export function printEndpointReport(
  output: Output,
  report: TlsEndpointReport,
  nowMs: number,
): void {
  const route = report.route === 'proxy' ? `through the proxy ${report.proxy}` : report.route;
  output.out(`${report.url} → ${route}${report.rule ? ` (${report.rule})` : ''}`);
  for (const stage of report.stages) {
    // The TLS stage is described below, with the chain; a failed one is shown only when nothing follows.
    if (stage.name === 'tls' && report.answered) continue;
    const ms = `${Math.round(stage.ms)}ms`;
    output.out(
      `  ${stage.ok ? 'ok  ' : 'FAIL'}  ${stage.name.padEnd(9)} ${ms.padStart(7)}  ${stage.detail}`,
    );
  }
  if (!report.answered) {
    output.out('result: no TLS answer: the connection failed before the handshake completed');
    return;
  }
  output.out(`protocol: ${report.protocol ?? 'unknown'}, cipher ${report.cipher ?? 'unknown'}`);
  output.out(`chain (${report.chain.length}):`);
  report.chain.forEach((cert, i) => {
    const role = cert.trusted
      ? 'trusted CA'
      : i === 0
        ? 'server certificate'
        : 'sent by the server';
    printCertificate(output, cert, `#${i + 1} [${role}]`, nowMs);
  });
  output.out(
    `trusted:  ${report.trusted ? "yes (Node's roots plus the CA bundle)" : `no (${report.verifyError})`}`,
  );
  output.out(`host:     ${report.host} ${report.hostMatches ? 'matches' : 'does NOT match'}`);
  const days = report.daysUntilExpiry;
  if (days !== null)
    output.out(`expires:  ${days < 0 ? `${-days} day(s) ago` : `in ${days} day(s)`}`);
  printFindings(output, report.findings);
  output.out(`result: ${report.ok ? 'OK, the endpoint verifies' : 'FAILED'}`);
}
