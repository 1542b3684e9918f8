import { z } from 'zod';
import { restApiPrefix } from '../../protocol/rest-api.js';
import type { RouteDoc } from './openapi-routes.js';

/** OpenAPI entry of the backup endpoint (src/server/http/backup-routes.ts). */
export const backupRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: `${restApiPrefix}/admin/backup`,
    summary:
      'Online backup (admin): every table, and with blobs=true the blob folder (never S3), streamed as a .tar.gz while the server runs; the secret key is never in it',
    query: z.object({
      blobs: z
        .enum(['true', 'false'])
        .optional()
        .describe('also copy the blob folder (caches, workspaces, artifacts); default false'),
    }),
    alternatives: {
      'application/gzip':
        'the archive (src/protocol/backup-format.ts): airlock-backup.json, tables/<table>/<n>.jsonl, blobs/<key>, manifest.json with the SHA-256 of every member; header x-airlock-backup-blobs: included | not-requested | object-storage',
    },
    tag: 'admin',
  },
];
