import {
  contextViewSchema,
  createContextRequestSchema,
  setContextVarRequestSchema,
} from '../../protocol/contexts-api.js';
import { restApiPrefix } from '../../protocol/rest-api.js';
import type { RouteDoc } from './openapi-routes.js';

const c = `${restApiPrefix}/contexts`;

/** OpenAPI entries of the context endpoints (src/protocol/contexts-api.ts). */
export const contextRouteDocs: readonly RouteDoc[] = [
  {
    method: 'get',
    path: c,
    summary: 'Contexts with their variable names (values are write-only)',
    response: contextViewSchema.array(),
    tag: 'contexts',
  },
  {
    method: 'post',
    path: c,
    summary: 'Create a context (admin; 201)',
    body: createContextRequestSchema,
    response: contextViewSchema,
    tag: 'contexts',
  },
  {
    method: 'get',
    path: `${c}/{name}`,
    summary: 'A context with its variable names',
    response: contextViewSchema,
    tag: 'contexts',
  },
  {
    method: 'delete',
    path: `${c}/{name}`,
    summary: 'Delete a context and its variables (admin; 204)',
    tag: 'contexts',
  },
  {
    method: 'put',
    path: `${c}/{name}/env/{var}`,
    summary: 'Set a context variable, encrypted at rest (admin; 204)',
    body: setContextVarRequestSchema,
    tag: 'contexts',
  },
  {
    method: 'delete',
    path: `${c}/{name}/env/{var}`,
    summary: 'Remove a context variable (admin; 204)',
    tag: 'contexts',
  },
];
