import type { Kysely, Migration } from 'kysely';

/**
 * Blob-backed features: blobs (one row per stored object, with its expiry), caches, workspace
 * layers, artifacts, test cases, the blobs running jobs use, and job tokens.
 */
export const m0002Storage: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('blobs')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text')
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('blobs_expires_idx').on('blobs').column('expires_at_ms').execute();

    await db.schema
      .createTable('caches')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('cache_key', 'text', (c) => c.notNull())
      .addColumn('blob_key', 'text', (c) => c.notNull().references('blobs.key').onDelete('cascade'))
      .addColumn('job_id', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at_ms', 'bigint')
      .addPrimaryKeyConstraint('caches_pk', ['project_id', 'cache_key'])
      .execute();
    await db.schema
      .createIndex('caches_created_idx')
      .on('caches')
      .columns(['project_id', 'created_at_ms'])
      .execute();

    await db.schema
      .createTable('workspace_layers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('job_name', 'text', (c) => c.notNull())
      .addColumn('blob_key', 'text', (c) => c.notNull().references('blobs.key').onDelete('cascade'))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('workspace_layers_ws_idx')
      .on('workspace_layers')
      .column('workspace_id')
      .execute();

    await db.schema
      .createTable('artifacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('blob_key', 'text', (c) => c.notNull().references('blobs.key').onDelete('cascade'))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('artifacts_job_path_unique', ['job_id', 'path'])
      .execute();

    await db.schema
      .createTable('test_cases')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('job_name', 'text', (c) => c.notNull())
      .addColumn('suite', 'text', (c) => c.notNull())
      .addColumn('classname', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('file', 'text')
      .addColumn('time_ms', 'integer', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('test_cases_pk', ['job_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('test_cases_job_name_idx')
      .on('test_cases')
      .columns(['project_id', 'job_name', 'created_at_ms'])
      .execute();

    await db.schema
      .createTable('blob_uses')
      .addColumn('blob_key', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('used_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('blob_uses_pk', ['blob_key', 'job_id'])
      .execute();

    await db.schema
      .createTable('job_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'job_tokens',
      'blob_uses',
      'test_cases',
      'artifacts',
      'workspace_layers',
      'caches',
      'blobs',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
