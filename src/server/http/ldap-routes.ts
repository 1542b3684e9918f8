import type { FastifyInstance } from 'fastify';
import { ldapTestPath, ldapTestRequestSchema } from '../../protocol/ldap-api.js';
import { AppError } from '../../shared/app-error.js';
import { requireAdmin } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import { requireUser } from './authenticate.js';
import { parseInput } from './parse-body.js';

/** `POST /api/v1/admin/ldap/test` (admins): the LDAP settings tried step by step. */
export function ldapRoutes(app: FastifyInstance, services: Services): void {
  app.post(ldapTestPath, async (request) => {
    const principal = await requireUser(services, request);
    requireAdmin(principal);
    const body = parseInput(ldapTestRequestSchema, request.body);
    if (!services.ldap) {
      throw new AppError('CONFLICT', 'LDAP sign-in is off on this server', {
        hint: 'start the server with --ldap-url (AIRLOCK_LDAP_URL) and the other --ldap-* settings',
      });
    }
    return services.ldap.test(principal, body.username, body.password);
  });
}
