import type { ColumnType } from 'kysely';
import type { AuditTables } from './audit-tables.js';
import type { ContextsTables } from './contexts-tables.js';
import type { StorageTables } from './storage-tables.js';

/**
 * The SQL schema as Kysely sees it: snake_case tables and columns, one interface per table.
 * Repositories map these to camelCase row objects. Conventions shared by both dialects:
 * - times are epoch milliseconds in `bigint` columns (pg's int8 is parsed to a JS number);
 * - booleans are `integer` 0/1 (better-sqlite3 cannot bind JS booleans);
 * - structured values are JSON text.
 */
export interface Database extends StorageTables, ContextsTables, AuditTables {
  projects: ProjectsTable;
  project_env_vars: ProjectEnvVarsTable;
  pipelines: PipelinesTable;
  workflows: WorkflowsTable;
  jobs: JobsTable;
  steps: StepsTable;
  runners: RunnersTable;
  log_chunks: LogChunksTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  runner_registration_tokens: RunnerRegistrationTokensTable;
  invitations: InvitationsTable;
  settings: SettingsTable;
  schedules_fired: SchedulesFiredTable;
}

/** A 0/1 integer column written from a boolean-derived number. */
type Flag = ColumnType<number, number | undefined, number>;

export interface ProjectsTable {
  id: string;
  name: string;
  git_url: string | null;
  local_path: string | null;
  default_branch: string;
  config_path: ColumnType<string, string | undefined, string>;
  created_at_ms: number;
}

export interface ProjectEnvVarsTable {
  project_id: string;
  name: string;
  ciphertext: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface PipelinesTable {
  id: string;
  project_id: string;
  number: number;
  trigger_source: string;
  triggered_by: string | null;
  branch: string | null;
  tag: string | null;
  revision: string | null;
  parameters: string;
  status: string;
  errors: string | null;
  created_at_ms: number;
  finished_at_ms: number | null;
}

export interface WorkflowsTable {
  id: string;
  pipeline_id: string;
  name: string;
  status: string;
  created_at_ms: number;
  finished_at_ms: number | null;
  rerun_of: string | null;
}

export interface JobsTable {
  id: string;
  workflow_id: string;
  pipeline_id: string;
  project_id: string;
  name: string;
  job_name: string;
  type: string;
  status: string;
  requires: string;
  spec: string;
  resource_class: string;
  executor_kind: string;
  parallelism: number;
  node_index: number;
  runner_id: string | null;
  lease_expires_at_ms: number | null;
  cancel_requested: Flag;
  approved_by: string | null;
  pending_reason: string | null;
  created_at_ms: number;
  queued_at_ms: number | null;
  started_at_ms: number | null;
  finished_at_ms: number | null;
  attempt: number;
  serial_group: string | null;
}

export interface StepsTable {
  job_id: string;
  seq: number;
  name: string;
  status: string;
  exit_code: number | null;
  started_at_ms: number;
  finished_at_ms: number | null;
}

export interface RunnersTable {
  id: string;
  name: string;
  token_hash: string;
  resource_classes: string;
  executors: string;
  capacity: number;
  drain: Flag;
  last_seen_at_ms: number;
  created_at_ms: number;
  version: string | null;
  hostname: string | null;
}

export interface LogChunksTable {
  job_id: string;
  seq: number;
  /** `offset` is an SQL keyword; the row object calls it `offset`. */
  byte_offset: number;
  size_bytes: number;
  data: string;
  created_at_ms: number;
}

export interface UsersTable {
  id: string;
  username: string;
  /** The case-folded username; unique, so `Alice` and `alice` cannot both exist. */
  username_key: string;
  password_hash: string | null;
  is_admin: Flag;
  created_at_ms: number;
  email: string | null;
  /** `local` (password in Airlock) or `ldap` (the directory checks it). */
  source: ColumnType<UserSource, UserSource | undefined, UserSource>;
  display_name: string | null;
}

/** Where a user's password is checked. */
export type UserSource = 'local' | 'ldap';

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  expires_at_ms: number;
  created_at_ms: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at_ms: number;
  last_used_at_ms: number | null;
}

export interface RunnerRegistrationTokensTable {
  id: string;
  token_hash: string;
  created_by: string | null;
  created_at_ms: number;
  expires_at_ms: number | null;
}

export interface InvitationsTable {
  id: string;
  token_hash: string;
  created_by: string | null;
  created_at_ms: number;
  expires_at_ms: number | null;
  used_at_ms: number | null;
  used_by: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface SchedulesFiredTable {
  project_id: string;
  trigger_name: string;
  fired_for_ms: number;
}
