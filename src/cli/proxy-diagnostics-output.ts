import type { ProxyDiagnostic } from '../proxy/index.js';
import type { Output } from './output.js';

/** Prints proxy diagnostics on stderr: `airlock: warning: …` plus the tools and a suggestion. */
export function printProxyDiagnostics(
  output: Output,
  diagnostics: readonly ProxyDiagnostic[],
): void {
  for (const d of diagnostics) {
    output.err(`airlock: ${d.severity}: ${d.message}`);
    if (d.suggestion !== undefined) output.err(`  suggestion: ${d.suggestion}`);
  }
}

/** The JSON form of a diagnostic, one object a line. */
export function diagnosticJson(d: ProxyDiagnostic): string {
  return JSON.stringify({
    severity: d.severity,
    code: d.code,
    variable: d.variable,
    message: d.message,
    suggestion: d.suggestion ?? null,
    tools: d.tools ?? [],
  });
}
