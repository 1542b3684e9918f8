import type { Kysely, Migration } from 'kysely';

/**
 * Where a user signs in: `local` (a password kept by Airlock) or `ldap` (the directory checks
 * the password; no local one), and the display name the directory gives them.
 */
export const m0006UserSource: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('users')
      .addColumn('source', 'text', (c) => c.notNull().defaultTo('local'))
      .execute();
    await db.schema.alterTable('users').addColumn('display_name', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').dropColumn('display_name').execute();
    await db.schema.alterTable('users').dropColumn('source').execute();
  },
};
