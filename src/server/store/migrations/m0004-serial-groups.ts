import type { Kysely, Migration } from 'kysely';

/**
 * `serial-group` of a workflow job: jobs with the same group key run one at a time, the oldest
 * queued first, across pipelines and projects. Null for jobs without a group.
 */
export const m0004SerialGroups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('jobs').addColumn('serial_group', 'text').execute();
    await db.schema
      .createIndex('jobs_serial_group_idx')
      .on('jobs')
      .columns(['serial_group', 'status'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('jobs_serial_group_idx').execute();
    await db.schema.alterTable('jobs').dropColumn('serial_group').execute();
  },
};
