import { type AuditEventView, auditCsvColumns } from '../../protocol/audit-api.js';

/** RFC 4180 line ends. */
const lineEnd = '\r\n';

/** One CSV field: quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const json = (value: object | null): string =>
  value === null ? '' : csvField(JSON.stringify(value));

/** The header line, in the operations guide's order. */
export function auditCsvHeader(): string {
  return auditCsvColumns.join(',') + lineEnd;
}

/**
 * One event as one CSV record, its cells in `auditCsvColumns` order. Nested fields (actor,
 * target, payload, metadata, scope, request) are JSON text; absent ones (scope, request) are
 * empty. Every cell a client can influence sits inside a JSON object, so no cell starts with
 * `=`, `+`, `-` or `@` (no spreadsheet formulas).
 */
export function auditCsvRow(e: AuditEventView): string {
  // Written out rather than mapped over the columns: exports run to millions of rows.
  return `${csvField(e.action)},${json(e.actor)},${json(e.target)},${json(e.payload)},${csvField(e.occurred_at)},${json(e.metadata)},${csvField(e.id)},${e.version},${json(e.scope)},${e.success},${json(e.request)}${lineEnd}`;
}
