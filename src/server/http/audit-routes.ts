import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type AuditEventView, auditLogQuerySchema } from '../../protocol/audit-api.js';
import { restApiPrefix } from '../../protocol/rest-api.js';
import { requireAdmin } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import { auditCsvHeader, auditCsvRow } from './audit-csv.js';
import { requireUser } from './authenticate.js';
import { parseInput } from './parse-body.js';

/** CSV text is sent in pieces of about this size. */
const csvPieceChars = 64 * 1024;

/** Whether the Accept header prefers CSV (`text/csv` listed before any JSON type). */
function acceptsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]?.trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.findIndex((t) => t === 'application/json');
  return csv >= 0 && (json < 0 || csv < json);
}

async function* csvPieces(
  first: IteratorResult<AuditEventView>,
  rest: AsyncGenerator<AuditEventView>,
): AsyncGenerator<string> {
  let piece = auditCsvHeader();
  let next = first;
  while (!next.done) {
    piece += auditCsvRow(next.value);
    if (piece.length >= csvPieceChars) {
      yield piece;
      piece = '';
    }
    next = await rest.next();
  }
  if (piece) yield piece;
}

/**
 * `GET /api/v1/admin/audit-log` (admins): JSON pages with a cursor, or the whole range as CSV
 * (`?format=csv` or `Accept: text/csv`), streamed in batches so any range fits in memory.
 */
export function auditRoutes(app: FastifyInstance, services: Services): void {
  app.get(`${restApiPrefix}/admin/audit-log`, async (request, reply) => {
    requireAdmin(await requireUser(services, request));
    const query = parseInput(auditLogQuerySchema, request.query, 'query');
    const csv =
      query.format === 'csv' || (query.format === undefined && acceptsCsv(request.headers.accept));
    if (!csv) return services.audit.page(query);
    const events = services.audit.stream(query);
    // The first batch is read before the answer starts: a bad cursor or an unreachable
    // database is still a proper error status, not a cut-off 200.
    const first = await events.next();
    const stamp = new Date(services.deps.clock.nowMs()).toISOString().replace(/[:.]/g, '-');
    const body = Readable.from(csvPieces(first, events));
    body.on('error', (error) =>
      request.log.error({ err: error }, 'the audit log CSV download failed midway'),
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="airlock-audit-log-${stamp}.csv"`)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
