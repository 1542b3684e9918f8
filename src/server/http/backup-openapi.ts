import { restApiPrefix } from '../../protocol/rest-api.js';
import type { RouteDoc } from './openapi-routes.js';

/** OpenAPI entry of the backup endpoint (src/server/http/backup-routes.ts). */
export const backupRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: `${restApiPrefix}/admin/backup`,
    summary:
      'Online backup (admin): a streamed .tar.gz of every table and, with ?blobs=true, the blob folder (never S3); the secret key is not in it',
    tag: 'admin',
  },
];
