/**
 * The runner protocol: how a runner and the server talk, over plain HTTP(S)/JSON so it survives
 * every proxy. Version 1, under `/api/runner/v1`. Every request but `register` carries the
 * runner's own token as `Authorization: Bearer <token>`.
 *
 * - register: a registration token (made by an admin) buys the runner an id and its own token.
 * - claim: a long-poll held by the server for at most `waitMs` (capped at 25 s, below common
 *   60 s proxy timeouts). 200 with a job assignment, or 204 when nothing fits.
 * - heartbeat: renews the lease of the runner's running jobs; the answer carries which of them
 *   were canceled and whether the runner is draining.
 * - logs: ordered, idempotent chunks (sequence number + byte offset). A chunk that was already
 *   stored is acknowledged and not stored twice.
 * - steps: one record per step start and end.
 * - complete: the job's result. Idempotent: completing a finished job again is a no-op.
 *
 * Rate limits: a 429 carries `RateLimit-ResetTime` (an HTTP date) and `Retry-After` (seconds).
 */
import { z } from 'zod';
import { stepStatusSchema } from './statuses.js';

export const runnerApiVersion = 1;
export const runnerApiPrefix = '/api/runner/v1';
/** The longest a claim long-poll is held, in milliseconds. */
export const maxClaimWaitMs = 25_000;

export const executorKinds = ['machine', 'docker', 'macos', 'none'] as const;
export const executorKindSchema = z.enum(executorKinds);
export type ExecutorKind = z.infer<typeof executorKindSchema>;

const name = z.string().trim().min(1).max(200);

export const registerRequestSchema = z.object({
  registrationToken: z.string().min(1),
  name,
  hostname: z.string().max(255).default(''),
  resourceClasses: z.array(name).min(1).max(50),
  executors: z.array(executorKindSchema).min(1),
  capacity: z.number().int().min(1).max(1024),
  version: z.string().max(50).default(''),
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

export const registerResponseSchema = z.object({ runnerId: z.string(), token: z.string() });
export type RegisterResponse = z.infer<typeof registerResponseSchema>;

export const claimRequestSchema = z.object({
  /** How many more jobs the runner can take now (>= 1). */
  freeSlots: z.number().int().min(1).max(1024),
  /** How long the server may hold the request when nothing is queued. */
  waitMs: z.number().int().min(0).max(maxClaimWaitMs).default(maxClaimWaitMs),
  /** Resource classes and executors can change at restart; the claim states them each time. */
  resourceClasses: z.array(name).min(1).max(50),
  executors: z.array(executorKindSchema).min(1),
});
export type ClaimRequest = z.infer<typeof claimRequestSchema>;

export const checkoutSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('git'),
    url: z.string(),
    revision: z.string().optional(),
    branch: z.string().optional(),
    tag: z.string().optional(),
  }),
  /** A local folder copied as it is (working tree included): `airlock run` and local projects. */
  z.object({
    kind: z.literal('local-dir'),
    path: z.string(),
    revision: z.string().optional(),
    branch: z.string().optional(),
  }),
]);
export type CheckoutSource = z.infer<typeof checkoutSourceSchema>;

export const jobAssignmentSchema = z.object({
  jobId: z.string(),
  pipelineId: z.string(),
  pipelineNumber: z.number().int(),
  workflowId: z.string(),
  workflowName: z.string(),
  projectName: z.string(),
  /** The job instance's name in the workflow. */
  jobName: z.string(),
  nodeIndex: z.number().int().min(0),
  parallelism: z.number().int().min(1),
  /** The compiled job (`PlanJob` of src/pipeline/plan.ts). */
  spec: z.record(z.unknown()),
  checkout: checkoutSourceSchema,
  /** Built-in variables (`CI`, `CIRCLE_*`, `AIRLOCK_*`), computed by the server. */
  builtins: z.record(z.string()),
  /** Context variables, then project variables: lower precedence than builtins and the job. */
  contextEnv: z.record(z.string()),
  projectEnv: z.record(z.string()),
  /** Values to mask in the log (every secret variable's value). */
  secrets: z.array(z.string()),
  leaseMs: z.number().int().positive(),
  heartbeatIntervalMs: z.number().int().positive(),
  /** Public URL of the job's page, for `CIRCLE_BUILD_URL`. */
  jobUrl: z.string(),
});
export type JobAssignment = z.infer<typeof jobAssignmentSchema>;

export const heartbeatRequestSchema = z.object({ jobIds: z.array(z.string()).max(1024) });
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;

export const heartbeatResponseSchema = z.object({
  /** Jobs of this runner that were canceled: stop them and report them canceled. */
  cancel: z.array(z.string()),
  /** Jobs the server no longer considers this runner's (lease lost): stop them, report nothing. */
  lost: z.array(z.string()),
  drain: z.boolean(),
  leaseMs: z.number().int().positive(),
});
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;

export const logChunkSchema = z.object({
  seq: z.number().int().min(0),
  offset: z.number().int().min(0),
  data: z.string().max(4 * 1024 * 1024),
});
export type LogChunk = z.infer<typeof logChunkSchema>;

export const logChunksRequestSchema = z.object({
  chunks: z.array(logChunkSchema).min(1).max(1000),
});
export const logChunksResponseSchema = z.object({
  stored: z.number().int(),
  duplicates: z.number().int(),
});

export const stepReportSchema = z.object({
  seq: z.number().int().min(0),
  name: z.string().max(1000),
  status: stepStatusSchema,
  exitCode: z.number().int().nullable().optional(),
  startedAtMs: z.number().int(),
  finishedAtMs: z.number().int().nullable().optional(),
});
export type StepReport = z.infer<typeof stepReportSchema>;

export const completeRequestSchema = z.object({
  status: z.enum(['success', 'failed', 'canceled', 'infrastructure_fail']),
  /** Why, in one line, for failures that are not a step's exit code. */
  reason: z.string().max(2000).optional(),
});
export type CompleteRequest = z.infer<typeof completeRequestSchema>;
