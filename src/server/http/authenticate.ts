import type { FastifyRequest } from 'fastify';
import { AppError } from '../../shared/app-error.js';
import type { Principal } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import { readCookie } from './cookies.js';
import { requestOrigin } from './request-origin.js';

export const sessionCookieName = 'airlock_session';
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * Who is calling: a personal API token (`Authorization: Bearer alk_pat_…`) or the session
 * cookie. Cookie-authenticated unsafe requests must echo the session's CSRF token in
 * `X-CSRF-Token` (the cookie is also SameSite=Lax).
 */
export async function principalOf(
  services: Services,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const token = bearerToken(request);
  if (token) {
    const principal = await services.auth.fromApiToken(token);
    if (!principal)
      throw new AppError('UNAUTHENTICATED', 'the API token is unknown or was deleted');
    return { ...principal, request: requestOrigin(request) };
  }
  const session = readCookie(request.headers.cookie, sessionCookieName);
  if (!session) return undefined;
  const principal = await services.auth.fromSession(session);
  if (!principal) return undefined;
  if (
    unsafeMethods.has(request.method) &&
    request.headers['x-csrf-token'] !== principal.csrfToken
  ) {
    throw new AppError(
      'FORBIDDEN',
      'missing or wrong X-CSRF-Token header for a cookie-authenticated request',
    );
  }
  return { ...principal, request: requestOrigin(request) };
}

export async function requireUser(services: Services, request: FastifyRequest): Promise<Principal> {
  const principal = await principalOf(services, request);
  if (!principal) {
    throw new AppError(
      'UNAUTHENTICATED',
      'sign in, or send a personal API token as `Authorization: Bearer <token>`',
      {
        hint: 'create a token in the web UI or with POST /api/v1/tokens; the CLI reads it from AIRLOCK_TOKEN',
      },
    );
  }
  return principal;
}
