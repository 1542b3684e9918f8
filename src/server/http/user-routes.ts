import type { FastifyInstance } from 'fastify';
import {
  createTokenRequestSchema,
  loginRequestSchema,
  restApiPrefix,
  setAdminRequestSchema,
  signupRequestSchema,
} from '../../protocol/rest-api.js';
import { userView } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import { principalOf, requireUser, sessionCookieName } from './authenticate.js';
import { readCookie, sessionCookie } from './cookies.js';
import { parseInput } from './parse-body.js';
import { requestOrigin } from './request-origin.js';

/** Sign-up, sign-in, personal tokens, users, invitations and runner registration tokens. */
export function userRoutes(
  app: FastifyInstance,
  services: Services,
  options: { cookiePath: string; secureCookies: boolean },
): void {
  const p = restApiPrefix;

  app.post(`${p}/auth/signup`, async (request, reply) => {
    const body = parseInput(signupRequestSchema, request.body);
    const user = await services.auth.signup(body, requestOrigin(request));
    return reply.status(201).send(userView(user));
  });

  app.post(`${p}/auth/login`, async (request, reply) => {
    const body = parseInput(loginRequestSchema, request.body);
    const { user, session, csrfToken, expiresAtMs } = await services.auth.login(
      body.username,
      body.password,
      requestOrigin(request),
    );
    const maxAgeS = Math.max(1, Math.floor((expiresAtMs - services.deps.clock.nowMs()) / 1000));
    reply.header(
      'set-cookie',
      sessionCookie(sessionCookieName, session, {
        maxAgeS,
        secure: options.secureCookies,
        path: options.cookiePath,
      }),
    );
    return { user: userView(user), csrfToken };
  });

  app.post(`${p}/auth/logout`, async (request, reply) => {
    const session = readCookie(request.headers.cookie, sessionCookieName);
    if (session) await services.auth.logout(session, requestOrigin(request));
    reply.header(
      'set-cookie',
      sessionCookie(sessionCookieName, '', {
        maxAgeS: 0,
        secure: options.secureCookies,
        path: options.cookiePath,
      }),
    );
    return { ok: true };
  });

  app.get(`${p}/me`, async (request) => {
    const principal = await requireUser(services, request);
    return {
      id: principal.userId,
      username: principal.username,
      isAdmin: principal.isAdmin,
      csrfToken: principal.csrfToken ?? null,
    };
  });

  app.get(`${p}/setup`, async (request) => {
    // Tells the UI whether the first sign-up (which becomes admin) is still open, whether
    // sign-up exists at all (not with LDAP only) and whether passwords are the directory's.
    const principal = await principalOf(services, request).catch(() => undefined);
    const signUpOpen = services.ldap?.signUpOpen ?? true;
    return {
      needsFirstUser: signUpOpen && (await services.deps.store.users.count()) === 0,
      signedIn: principal !== undefined,
      signUpOpen,
      directory: services.ldap ? 'ldap' : null,
    };
  });

  app.post(`${p}/tokens`, async (request, reply) => {
    const principal = await requireUser(services, request);
    const body = parseInput(createTokenRequestSchema, request.body);
    return reply.status(201).send(await services.auth.createApiToken(principal, body.name));
  });
  app.get(`${p}/tokens`, async (request) =>
    services.auth.listApiTokens(await requireUser(services, request)),
  );
  app.delete(`${p}/tokens/:id`, async (request) => {
    await services.auth.deleteApiToken(
      await requireUser(services, request),
      (request.params as { id: string }).id,
    );
    return { ok: true };
  });

  app.get(`${p}/users`, async (request) =>
    services.auth.listUsers(await requireUser(services, request)),
  );
  app.post(`${p}/users/:id/admin`, async (request) => {
    const principal = await requireUser(services, request);
    const body = parseInput(setAdminRequestSchema, request.body);
    return services.auth.setAdmin(principal, (request.params as { id: string }).id, body.isAdmin);
  });
  app.post(`${p}/invitations`, async (request, reply) => {
    return reply
      .status(201)
      .send(await services.auth.createInvitation(await requireUser(services, request)));
  });

  app.post(`${p}/runner-tokens`, async (request, reply) => {
    return reply
      .status(201)
      .send(await services.auth.createRegistrationToken(await requireUser(services, request)));
  });
  app.get(`${p}/runner-tokens`, async (request) =>
    services.auth.listRegistrationTokens(await requireUser(services, request)),
  );
}
