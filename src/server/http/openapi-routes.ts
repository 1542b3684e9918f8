import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { errorBodySchema } from '../../protocol/error-body.js';
import {
  createProjectRequestSchema,
  createTokenRequestSchema,
  drainRequestSchema,
  loginRequestSchema,
  rerunWorkflowRequestSchema,
  restApiPrefix,
  setAdminRequestSchema,
  setEnvVarRequestSchema,
  signupRequestSchema,
  triggerPipelineRequestSchema,
} from '../../protocol/rest-api.js';
import {
  claimRequestSchema,
  completeRequestSchema,
  heartbeatRequestSchema,
  heartbeatResponseSchema,
  jobAssignmentSchema,
  logChunksRequestSchema,
  registerRequestSchema,
  registerResponseSchema,
  runnerApiPrefix,
  stepReportSchema,
} from '../../protocol/runner-api.js';
import { auditRouteDocs } from './audit-openapi.js';
import { backupRouteDocs } from './backup-openapi.js';
import { contextRouteDocs } from './contexts-openapi.js';
import { ldapRouteDocs } from './ldap-openapi.js';
import { storageRouteDocs } from './storage-openapi.js';

export interface RouteDoc {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
  readonly summary: string;
  /** Query parameters, one per key of the object schema. */
  readonly query?: z.AnyZodObject;
  readonly body?: z.ZodTypeAny;
  readonly response?: z.ZodTypeAny;
  /** Other answers than JSON: content type -> what the text is. */
  readonly alternatives?: Readonly<Record<string, string>>;
  readonly tag: string;
}

const r = restApiPrefix;
const q = runnerApiPrefix;
const routes: readonly RouteDoc[] = [
  {
    method: 'post',
    path: `${r}/auth/signup`,
    summary: 'Sign up (the first user becomes admin; later ones need an invitation)',
    body: signupRequestSchema,
    tag: 'users',
  },
  {
    method: 'post',
    path: `${r}/auth/login`,
    summary: 'Sign in; sets the session cookie and returns the CSRF token',
    body: loginRequestSchema,
    tag: 'users',
  },
  { method: 'post', path: `${r}/auth/logout`, summary: 'Sign out', tag: 'users' },
  { method: 'get', path: `${r}/me`, summary: 'The signed-in user', tag: 'users' },
  {
    method: 'post',
    path: `${r}/tokens`,
    summary: 'Create a personal API token (shown once)',
    body: createTokenRequestSchema,
    tag: 'users',
  },
  { method: 'get', path: `${r}/tokens`, summary: 'List your API tokens (no values)', tag: 'users' },
  { method: 'delete', path: `${r}/tokens/{id}`, summary: 'Delete an API token', tag: 'users' },
  { method: 'get', path: `${r}/users`, summary: 'List users (admin)', tag: 'admin' },
  {
    method: 'post',
    path: `${r}/users/{id}/admin`,
    summary: 'Make or unmake an admin (admin)',
    body: setAdminRequestSchema,
    tag: 'admin',
  },
  {
    method: 'post',
    path: `${r}/invitations`,
    summary: 'Invite a user (admin); returns the invitation token once',
    tag: 'admin',
  },
  {
    method: 'post',
    path: `${r}/runner-tokens`,
    summary: 'Create a runner registration token (admin)',
    tag: 'admin',
  },
  {
    method: 'get',
    path: `${r}/runner-tokens`,
    summary: 'List runner registration tokens (admin)',
    tag: 'admin',
  },
  { method: 'get', path: `${r}/projects`, summary: 'List projects', tag: 'projects' },
  {
    method: 'post',
    path: `${r}/projects`,
    summary: 'Register a project by git URL or local path',
    body: createProjectRequestSchema,
    tag: 'projects',
  },
  { method: 'get', path: `${r}/projects/{name}`, summary: 'A project', tag: 'projects' },
  {
    method: 'get',
    path: `${r}/projects/{name}/env`,
    summary: 'Environment variable names (values are write-only)',
    tag: 'projects',
  },
  {
    method: 'put',
    path: `${r}/projects/{name}/env/{var}`,
    summary: 'Set an environment variable (encrypted at rest)',
    body: setEnvVarRequestSchema,
    tag: 'projects',
  },
  {
    method: 'delete',
    path: `${r}/projects/{name}/env/{var}`,
    summary: 'Delete an environment variable',
    tag: 'projects',
  },
  {
    method: 'post',
    path: `${r}/projects/{name}/pipelines`,
    summary: 'Trigger a pipeline',
    body: triggerPipelineRequestSchema,
    tag: 'pipelines',
  },
  {
    method: 'get',
    path: `${r}/pipelines`,
    summary: 'Recent pipelines (?project=&limit=)',
    tag: 'pipelines',
  },
  {
    method: 'get',
    path: `${r}/pipelines/{id}`,
    summary: 'A pipeline with its workflows and jobs',
    tag: 'pipelines',
  },
  {
    method: 'post',
    path: `${r}/pipelines/{id}/cancel`,
    summary: 'Cancel a pipeline',
    tag: 'pipelines',
  },
  {
    method: 'get',
    path: `${r}/workflows/{id}`,
    summary: 'A workflow with its jobs',
    tag: 'pipelines',
  },
  {
    method: 'post',
    path: `${r}/workflows/{id}/cancel`,
    summary: 'Cancel a workflow',
    tag: 'pipelines',
  },
  {
    method: 'post',
    path: `${r}/workflows/{id}/rerun`,
    summary: 'Rerun a workflow from the start or from failed jobs',
    body: rerunWorkflowRequestSchema,
    tag: 'pipelines',
  },
  {
    method: 'get',
    path: `${r}/jobs`,
    summary: 'Jobs (?status=&project=&pipeline=&limit=)',
    tag: 'jobs',
  },
  {
    method: 'get',
    path: `${r}/jobs/{id}`,
    summary: 'A job with its steps and, when queued, why it waits',
    tag: 'jobs',
  },
  { method: 'get', path: `${r}/jobs/{id}/log`, summary: 'The whole log as text', tag: 'jobs' },
  {
    method: 'get',
    path: `${r}/jobs/{id}/log/stream`,
    summary: 'The log live over Server-Sent Events (resumes with Last-Event-ID)',
    tag: 'jobs',
  },
  { method: 'post', path: `${r}/jobs/{id}/approve`, summary: 'Approve a job on hold', tag: 'jobs' },
  { method: 'post', path: `${r}/jobs/{id}/cancel`, summary: 'Cancel a job', tag: 'jobs' },
  {
    method: 'get',
    path: `${r}/nodes`,
    summary: 'Build nodes with status, drain and running jobs',
    tag: 'nodes',
  },
  {
    method: 'post',
    path: `${r}/nodes/{id}/drain`,
    summary: 'Enable or disable drain (admin)',
    body: drainRequestSchema,
    tag: 'nodes',
  },
  {
    method: 'post',
    path: `${q}/register`,
    summary: 'Register a runner with a registration token',
    body: registerRequestSchema,
    response: registerResponseSchema,
    tag: 'runner',
  },
  {
    method: 'post',
    path: `${q}/claim`,
    summary: 'Long-poll for a job (at most 25 s; 204 when nothing fits)',
    body: claimRequestSchema,
    response: jobAssignmentSchema,
    tag: 'runner',
  },
  {
    method: 'post',
    path: `${q}/heartbeat`,
    summary: 'Renew leases; learn cancels and drain',
    body: heartbeatRequestSchema,
    response: heartbeatResponseSchema,
    tag: 'runner',
  },
  {
    method: 'post',
    path: `${q}/jobs/{id}/logs`,
    summary: 'Ordered, idempotent log chunks',
    body: logChunksRequestSchema,
    tag: 'runner',
  },
  {
    method: 'post',
    path: `${q}/jobs/{id}/steps`,
    summary: 'A step started or ended',
    body: stepReportSchema,
    tag: 'runner',
  },
  {
    method: 'post',
    path: `${q}/jobs/{id}/complete`,
    summary: 'The job result (idempotent)',
    body: completeRequestSchema,
    tag: 'runner',
  },
  {
    method: 'post',
    path: `${q}/drain`,
    summary: 'The runner drains itself (or stops draining)',
    body: drainRequestSchema,
    tag: 'runner',
  },
];

const json = (schema: z.ZodTypeAny): unknown =>
  zodToJsonSchema(schema, { target: 'openApi3', $refStrategy: 'none' });

/** The OpenAPI 3 document of the REST and runner APIs, built from the protocol schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [
    ...routes,
    ...storageRouteDocs,
    ...contextRouteDocs,
    ...backupRouteDocs,
    ...auditRouteDocs,
    ...ldapRouteDocs,
  ]) {
    const params: unknown[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const [name, schema] of Object.entries(route.query?.shape ?? {}))
      params.push({
        name,
        in: 'query',
        required: false,
        schema: json(schema as z.ZodTypeAny),
      });
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method] = {
      summary: route.summary,
      tags: [route.tag],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: json(route.body) } },
            },
          }
        : {}),
      responses: {
        '200': {
          description: 'OK',
          ...(route.response || route.alternatives
            ? {
                content: {
                  ...(route.response
                    ? { 'application/json': { schema: json(route.response) } }
                    : {}),
                  ...Object.fromEntries(
                    Object.entries(route.alternatives ?? {}).map(([type, description]) => [
                      type,
                      { schema: { type: 'string', description } },
                    ]),
                  ),
                },
              }
            : {}),
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: json(errorBodySchema) } },
        },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Airlock CI API', version: '1' },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'personal API token (REST) or runner token (runner API)',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'airlock_session' },
      },
    },
    paths,
  };
}

export function openApiRoutes(app: FastifyInstance): void {
  const doc = openApiDocument();
  app.get(`${restApiPrefix}/openapi.json`, async () => doc);
}
