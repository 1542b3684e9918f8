/**
 * The public REST API under `/api/v1`: request bodies (validated with these schemas) and the
 * views the server answers with. The web UI and the CLI import these types; nobody copies them.
 */
import { z } from 'zod';
import type {
  JobStatus,
  PipelineStatus,
  StepStatus,
  TriggerSource,
  WorkflowStatus,
} from './statuses.js';

export const restApiPrefix = '/api/v1';

const identifier = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'use letters, digits, ".", "_" and "-", starting with a letter or digit',
  );

export const signupRequestSchema = z.object({
  username: identifier,
  password: z.string().min(8, 'use at least 8 characters').max(1000),
  email: z.string().email().optional(),
  invitation: z.string().optional(),
});
export const loginRequestSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});
export const createTokenRequestSchema = z.object({ name: z.string().trim().min(1).max(100) });
export const setAdminRequestSchema = z.object({ isAdmin: z.boolean() });

export const createProjectRequestSchema = z
  .object({
    name: identifier,
    gitUrl: z.string().min(1).optional(),
    localPath: z
      .string()
      .min(1)
      .startsWith(
        '/',
        'a local path must be absolute (the server resolves nothing against its own folder)',
      )
      .optional(),
    defaultBranch: z.string().min(1).max(255).default('main'),
    configPath: z.string().min(1).max(1000).default('.circleci/config.yml'),
  })
  .refine((p) => (p.gitUrl === undefined) !== (p.localPath === undefined), {
    message: 'give exactly one of gitUrl and localPath',
  });
export type CreateProjectRequest = z.infer<typeof createProjectRequestSchema>;

/** PATCH `/projects/:name`: the settings to change (at least one). */
export const updateProjectRequestSchema = z
  .object({
    defaultBranch: z.string().min(1).max(255).optional(),
    configPath: z.string().min(1).max(1000).optional(),
  })
  .strict()
  .refine((p) => p.defaultBranch !== undefined || p.configPath !== undefined, {
    message: 'give defaultBranch, configPath or both',
  });
export type UpdateProjectRequest = z.infer<typeof updateProjectRequestSchema>;

export const envVarNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'an environment variable name is letters, digits and "_", not starting with a digit',
  );
export const setEnvVarRequestSchema = z.object({ value: z.string().max(64 * 1024) });

export const triggerPipelineRequestSchema = z
  .object({
    branch: z.string().min(1).max(255).optional(),
    tag: z.string().min(1).max(255).optional(),
    revision: z
      .string()
      .regex(/^[0-9a-f]{4,64}$/i, 'a revision is a commit hash')
      .optional(),
    parameters: z.record(z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .refine((t) => !(t.branch && t.tag), { message: 'give a branch or a tag, not both' });
export type TriggerPipelineRequest = z.infer<typeof triggerPipelineRequestSchema>;

export const rerunWorkflowRequestSchema = z.object({ fromFailed: z.boolean().default(false) });
export const drainRequestSchema = z.object({ drain: z.boolean() });

export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  readonly isAdmin: boolean;
  readonly createdAt: string;
  /** `local`: password kept by Airlock; `ldap`: signs in through the directory. */
  readonly source: 'local' | 'ldap';
  /** The directory's display name (LDAP users). */
  readonly displayName: string | null;
}

export interface ProjectView {
  readonly id: string;
  readonly name: string;
  readonly gitUrl: string | null;
  readonly localPath: string | null;
  readonly defaultBranch: string;
  readonly configPath: string;
  readonly createdAt: string;
}

export interface EnvVarView {
  readonly name: string;
  readonly updatedAt: string;
}

export interface DiagnosticView {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface PipelineView {
  readonly id: string;
  readonly projectId: string;
  readonly projectName: string;
  readonly number: number;
  readonly status: PipelineStatus;
  readonly triggerSource: TriggerSource;
  readonly triggeredBy: string | null;
  readonly branch: string | null;
  readonly tag: string | null;
  readonly revision: string | null;
  readonly errors: readonly DiagnosticView[];
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly workflows?: readonly WorkflowView[];
}

export interface WorkflowView {
  readonly id: string;
  readonly pipelineId: string;
  readonly name: string;
  readonly status: WorkflowStatus;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly jobs?: readonly JobView[];
}

export interface JobView {
  readonly id: string;
  readonly pipelineId: string;
  readonly workflowId: string;
  readonly projectId: string;
  readonly projectName?: string;
  readonly workflowName?: string;
  readonly name: string;
  readonly type: 'build' | 'approval';
  readonly status: JobStatus;
  readonly requires: readonly { readonly name: string; readonly statuses: readonly string[] }[];
  readonly resourceClass: string;
  readonly executor: string;
  readonly nodeIndex: number;
  readonly parallelism: number;
  readonly runnerId: string | null;
  readonly runnerName?: string | null;
  readonly approvedBy: string | null;
  readonly pendingReason: string | null;
  readonly createdAt: string;
  readonly queuedAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly steps?: readonly StepView[];
}

export interface StepView {
  readonly seq: number;
  readonly name: string;
  readonly status: StepStatus;
  readonly exitCode: number | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

export interface NodeView {
  readonly id: string;
  readonly name: string;
  readonly hostname: string;
  readonly resourceClasses: readonly string[];
  readonly executors: readonly string[];
  readonly capacity: number;
  readonly drain: boolean;
  readonly status: 'ready' | 'down';
  readonly runningJobs: number;
  readonly lastSeenAt: string;
  readonly version: string;
}

export interface TokenCreatedView {
  readonly id: string;
  readonly name?: string;
  /** Shown once; only its hash is stored. */
  readonly token: string;
}
