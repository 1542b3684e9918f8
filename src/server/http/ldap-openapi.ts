import {
  ldapTestPath,
  ldapTestRequestSchema,
  ldapTestResponseSchema,
} from '../../protocol/ldap-api.js';
import type { RouteDoc } from './openapi-routes.js';

/** OpenAPI entries of the LDAP endpoints (src/protocol/ldap-api.ts). */
export const ldapRouteDocs: readonly RouteDoc[] = [
  {
    method: 'post',
    path: ldapTestPath,
    summary:
      'Try the LDAP settings with a username and password, step by step (admin; signs nobody in; 409 when LDAP is off)',
    body: ldapTestRequestSchema,
    response: ldapTestResponseSchema,
    tag: 'admin',
  },
];
