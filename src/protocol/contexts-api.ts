/**
 * Contexts: named sets of environment variables, shared by every project, that a workflow job
 * opts into with `context:`. REST endpoints under `/api/v1/contexts`; any signed-in user or
 * token may list them (names only), only an admin may change them. Values are write-only: they
 * are encrypted at rest and never come back through the API.
 *
 * - GET `/contexts` → ContextView[]; GET `/contexts/:name` → ContextView
 * - POST `/contexts` {name} → 201 ContextView (admin)
 * - DELETE `/contexts/:name` → 204 (admin; its variables go with it)
 * - PUT `/contexts/:name/env/:var` {value} → 204 (admin; creates or replaces)
 * - DELETE `/contexts/:name/env/:var` → 204 (admin)
 */
import { z } from 'zod';
import { envVarNameSchema } from './rest-api.js';

export const contextNameSchema = z
  .string()
  .min(1, 'a context name cannot be empty')
  .max(100, 'a context name is at most 100 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'a context name is letters, digits, "-", "_" and "."')
  .refine((name) => !/^\.+$/.test(name), 'a context name cannot be only dots');

export const createContextRequestSchema = z.object({ name: contextNameSchema });
export type CreateContextRequest = z.infer<typeof createContextRequestSchema>;

export const setContextVarRequestSchema = z.object({
  value: z.string().max(64 * 1024, 'a value is at most 64 KiB'),
});

/** The path parameters of the context routes, validated with the names they are shown by. */
export const contextPathSchema = z.object({ context: contextNameSchema });
export const contextVarPathSchema = z.object({
  context: contextNameSchema,
  variable: envVarNameSchema,
});

export const contextVarViewSchema = z.object({
  name: z.string(),
  updatedAt: z.string(),
});

export const contextViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** Who created it (a username), or null. */
  createdBy: z.string().nullable(),
  /** Variable names, by name; never values. */
  variables: z.array(contextVarViewSchema),
});
export type ContextView = z.infer<typeof contextViewSchema>;
