import { type AuditEventView, auditCsvColumns } from '../../protocol/audit-api.js';

/** RFC 4180 line ends. */
const lineEnd = '\r\n';

/** One CSV field: quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cell(value: AuditEventView[keyof AuditEventView]): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The header line, in the operations guide's order. */
export function auditCsvHeader(): string {
  return auditCsvColumns.join(',') + lineEnd;
}

/**
 * One event as one CSV record. Nested fields (actor, target, payload, metadata, scope, request)
 * are JSON text; absent ones (scope, request) are empty. Every cell a client can influence sits
 * inside a JSON object, so no cell starts with `=`, `+`, `-` or `@` (no spreadsheet formulas).
 */
export function auditCsvRow(event: AuditEventView): string {
  return auditCsvColumns.map((column) => csvField(cell(event[column]))).join(',') + lineEnd;
}
