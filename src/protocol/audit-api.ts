/**
 * The audit log: `GET /api/v1/admin/audit-log` (admins only). Events have the fields of the
 * operations guide, under its names: `action`, `actor`, `target`, `payload`, `occurred_at`,
 * `metadata`, `id`, `version`, `scope`, `success`, `request`. JSON by default (a page with a
 * cursor), CSV with `?format=csv` or `Accept: text/csv` (nested fields as JSON text, streamed).
 */
import { z } from 'zod';

/** `{id, type, name?}`: an actor, a target or a scope. */
export const auditRefSchema = z.object({
  id: z.string(),
  /** Actors: `user`, `runner`, `system` or `anonymous` (a failed sign-in of an unknown user). */
  type: z.string(),
  name: z.string().optional(),
});
export type AuditRefView = z.infer<typeof auditRefSchema>;

export const auditRequestSchema = z.object({
  /** The request id the server logs as `reqId` (the caller's `X-Request-Id` when it sent one). */
  id: z.string(),
  /** The client's address; behind trusted proxies, from `X-Forwarded-For`. */
  ip_address: z.string(),
  /** The `X-Client-Trace-Id` header, when present. */
  client_trace_id: z.string().optional(),
});

export const auditEventViewSchema = z.object({
  action: z.string(),
  actor: auditRefSchema,
  target: auditRefSchema,
  payload: z.record(z.unknown()),
  /** UTC, ISO-8601 with milliseconds. */
  occurred_at: z.string(),
  metadata: z.record(z.string()),
  /** A UUID, unique per event: use it to drop duplicates. */
  id: z.string(),
  version: z.literal(1),
  /** The project that owns the target; null for server-wide things. */
  scope: auditRefSchema.nullable(),
  success: z.boolean(),
  /** Null for events the server raised itself (scheduler, timers). */
  request: auditRequestSchema.nullable(),
});
export type AuditEventView = z.infer<typeof auditEventViewSchema>;

export const auditLogPageSchema = z.object({
  events: z.array(auditEventViewSchema),
  /** Pass as `cursor` for the next page; null when this page is the last. */
  nextCursor: z.string().nullable(),
});
export type AuditLogPage = z.infer<typeof auditLogPageSchema>;

/** The CSV columns, in the order of the operations guide. */
export const auditCsvColumns = [
  'action',
  'actor',
  'target',
  'payload',
  'occurred_at',
  'metadata',
  'id',
  'version',
  'scope',
  'success',
  'request',
] as const satisfies readonly (keyof AuditEventView)[];

/** An ISO-8601 time with a zone (`2024-05-01T12:00:00Z`) or a UTC date (`2024-05-01`). */
const isoTime = z
  .string()
  .refine(
    (s) =>
      (/^\d{4}-\d{2}-\d{2}$/.test(s) ||
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) &&
      !Number.isNaN(Date.parse(s)),
    'use an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z, or a date, e.g. 2024-05-01',
  );

export const maxAuditPageSize = 1000;

export const auditLogQuerySchema = z.object({
  /** Events at or after this time. */
  since: isoTime.optional(),
  /** Events before this time. */
  until: isoTime.optional(),
  /** Whole dot-separated words: `context` matches `context.create` and `context.env_var.store`. */
  action: z
    .string()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/, 'an action is lowercase words separated by dots')
    .optional(),
  /** An actor's id or name. */
  actor: z.string().min(1).max(200).optional(),
  /** A target's id or name. */
  target: z.string().min(1).max(200).optional(),
  /** JSON: page size (default 100). CSV: at most this many events (default: all). */
  limit: z.coerce.number().int().min(1).optional(),
  cursor: z.string().min(1).max(500).optional(),
  /** `desc` (default): newest first. */
  order: z.enum(['asc', 'desc']).default('desc'),
  format: z.enum(['json', 'csv']).optional(),
});
export type AuditLogQuery = z.infer<typeof auditLogQuerySchema>;

/** Every action the server records, with what it means. */
export const auditActions = {
  'user.create':
    'a user signed up (the first becomes admin; later ones with an invitation) or signed in through LDAP for the first time',
  'user.logged_in':
    'a sign-in (metadata source: local or ldap); success=false when refused, with the reason',
  'user.logged_out': 'a sign-out',
  'user.admin.grant': 'an admin made a user admin (actor system: the LDAP admin group did)',
  'user.admin.revoke':
    "an admin removed a user's admin rights (actor system: the LDAP admin group)",
  'user.api_token.create': 'a personal API token was created (its name; never the token)',
  'user.api_token.delete': 'a personal API token was revoked',
  'invitation.create': 'an admin invited a user',
  'project.create': 'a project was registered',
  'project.settings.update': "a project's default branch or config path changed",
  'project.env_var.create': 'a project variable was set (its name; never the value)',
  'project.env_var.delete': 'a project variable was removed',
  'context.create': 'a context was created',
  'context.delete': 'a context was deleted with its variables',
  'context.env_var.store': 'a context variable was set (its name; never the value)',
  'context.env_var.delete': 'a context variable was removed',
  'pipeline.trigger': 'a pipeline was triggered (API, CLI, schedule or local run)',
  'pipeline.cancel': 'a pipeline was canceled',
  'workflow.cancel': 'a workflow was canceled',
  'workflow.rerun': 'a workflow was rerun (from the start or from failed jobs)',
  'workflow.job.scheduled': 'a job was queued: its requirements are met and it waits for a runner',
  'workflow.job.start': 'a runner claimed a job and starts it',
  'workflow.job.finish': "a job ended (its status is in the payload); the runner's or the server's",
  'workflow.job.approve': 'an approval job was approved',
  'workflow.job.cancel': 'a job was canceled',
  'runner.registration_token.create': 'a runner registration token was created',
  'runner.register': 'a runner registered; success=false when its registration token was refused',
  'runner.drain.enable': 'a build node was drained (by an admin or by the runner itself)',
  'runner.drain.disable': "a build node's drain was lifted",
  'audit_log.prune': 'events older than the retention were deleted',
} as const satisfies Record<string, string>;
export type AuditAction = keyof typeof auditActions;
