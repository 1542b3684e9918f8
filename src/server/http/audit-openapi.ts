import { auditLogPageSchema, auditLogQuerySchema } from '../../protocol/audit-api.js';
import { restApiPrefix, updateProjectRequestSchema } from '../../protocol/rest-api.js';
import type { RouteDoc } from './openapi-routes.js';

/** OpenAPI entries of the audit log (src/protocol/audit-api.ts) and of what it records. */
export const auditRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: `${restApiPrefix}/admin/audit-log`,
    summary:
      'The audit log (admin): JSON pages, newest first, with a cursor; CSV of the whole range with format=csv or Accept: text/csv (nested fields as JSON text, streamed)',
    query: auditLogQuerySchema,
    response: auditLogPageSchema,
    alternatives: {
      'text/csv':
        'header action,actor,target,payload,occurred_at,metadata,id,version,scope,success,request; RFC 4180 quoting, CRLF line ends',
    },
    tag: 'admin',
  },
  {
    method: 'patch',
    path: `${restApiPrefix}/projects/{name}`,
    summary:
      "Change a project's default branch or config path (recorded as project.settings.update)",
    body: updateProjectRequestSchema,
    tag: 'projects',
  },
];
