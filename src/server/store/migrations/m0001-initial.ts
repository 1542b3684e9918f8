import type { Kysely, Migration } from 'kysely';

/**
 * The first schema. Written with Kysely's schema builder only, so the same code runs on SQLite
 * and PostgreSQL: `text`, `integer` and `bigint` columns, integer 0/1 flags, JSON as text.
 */
export const m0001Initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('git_url', 'text')
      .addColumn('local_path', 'text')
      .addColumn('default_branch', 'text', (c) => c.notNull())
      .addColumn('config_path', 'text', (c) => c.notNull().defaultTo('.circleci/config.yml'))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('project_env_vars')
      .addColumn('project_id', 'text', (c) =>
        c.notNull().references('projects.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_env_vars_pk', ['project_id', 'name'])
      .execute();

    await db.schema
      .createTable('pipelines')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) =>
        c.notNull().references('projects.id').onDelete('cascade'),
      )
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('trigger_source', 'text', (c) => c.notNull())
      .addColumn('triggered_by', 'text')
      .addColumn('branch', 'text')
      .addColumn('tag', 'text')
      .addColumn('revision', 'text')
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('errors', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addUniqueConstraint('pipelines_project_number_unique', ['project_id', 'number'])
      .execute();
    await db.schema
      .createIndex('pipelines_created_idx')
      .on('pipelines')
      .columns(['created_at_ms', 'id'])
      .execute();

    await db.schema
      .createTable('workflows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pipeline_id', 'text', (c) =>
        c.notNull().references('pipelines.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addColumn('rerun_of', 'text')
      .execute();
    await db.schema
      .createIndex('workflows_pipeline_idx')
      .on('workflows')
      .column('pipeline_id')
      .execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workflow_id', 'text', (c) =>
        c.notNull().references('workflows.id').onDelete('cascade'),
      )
      .addColumn('pipeline_id', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('job_name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requires', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('resource_class', 'text', (c) => c.notNull())
      .addColumn('executor_kind', 'text', (c) => c.notNull())
      .addColumn('parallelism', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('node_index', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('runner_id', 'text')
      .addColumn('lease_expires_at_ms', 'bigint')
      .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('approved_by', 'text')
      .addColumn('pending_reason', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('queued_at_ms', 'bigint')
      .addColumn('started_at_ms', 'bigint')
      .addColumn('finished_at_ms', 'bigint')
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    // claim: the oldest queued job of a class; lease expiry: running jobs by lease.
    await db.schema
      .createIndex('jobs_status_queued_idx')
      .on('jobs')
      .columns(['status', 'queued_at_ms', 'id'])
      .execute();
    await db.schema
      .createIndex('jobs_status_lease_idx')
      .on('jobs')
      .columns(['status', 'lease_expires_at_ms'])
      .execute();
    await db.schema.createIndex('jobs_workflow_idx').on('jobs').column('workflow_id').execute();
    await db.schema.createIndex('jobs_pipeline_idx').on('jobs').column('pipeline_id').execute();
    await db.schema
      .createIndex('jobs_project_created_idx')
      .on('jobs')
      .columns(['project_id', 'created_at_ms'])
      .execute();
    await db.schema.createIndex('jobs_created_idx').on('jobs').column('created_at_ms').execute();

    await db.schema
      .createTable('steps')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('exit_code', 'integer')
      .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addPrimaryKeyConstraint('steps_pk', ['job_id', 'seq'])
      .execute();

    await db.schema
      .createTable('runners')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('resource_classes', 'text', (c) => c.notNull())
      .addColumn('executors', 'text', (c) => c.notNull())
      .addColumn('capacity', 'integer', (c) => c.notNull())
      .addColumn('drain', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_seen_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('hostname', 'text')
      .execute();

    await db.schema
      .createTable('log_chunks')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('byte_offset', 'bigint', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('log_chunks_pk', ['job_id', 'seq'])
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('username_key', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text')
      .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('email', 'text')
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sessions_expires_idx')
      .on('sessions')
      .column('expires_at_ms')
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at_ms', 'bigint')
      .execute();

    await db.schema
      .createTable('runner_registration_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint')
      .execute();

    await db.schema
      .createTable('invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint')
      .addColumn('used_at_ms', 'bigint')
      .addColumn('used_by', 'text')
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('schedules_fired')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('trigger_name', 'text', (c) => c.notNull())
      .addColumn('fired_for_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('schedules_fired_pk', ['project_id', 'trigger_name', 'fired_for_ms'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'schedules_fired',
      'settings',
      'invitations',
      'runner_registration_tokens',
      'api_tokens',
      'sessions',
      'users',
      'log_chunks',
      'runners',
      'steps',
      'jobs',
      'workflows',
      'pipelines',
      'project_env_vars',
      'projects',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
