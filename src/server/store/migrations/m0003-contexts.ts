import type { Kysely, Migration } from 'kysely';

/**
 * Contexts: named sets of environment variables shared by every project, injected into the jobs
 * whose workflow entry names them (`context:`). Values are encrypted like project variables.
 */
export const m0003Contexts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('contexts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .execute();

    await db.schema
      .createTable('context_env_vars')
      .addColumn('context_id', 'text', (c) =>
        c.notNull().references('contexts.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('context_env_vars_pk', ['context_id', 'name'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('context_env_vars').ifExists().execute();
    await db.schema.dropTable('contexts').ifExists().execute();
  },
};
