import type { Kysely, Migration } from 'kysely';

/**
 * The audit log: one row per event (who did what to which thing, through which request). Actor,
 * target and request are columns so they can be filtered; payload, metadata and scope are JSON.
 */
export const m0005AuditEvents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('occurred_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_name', 'text')
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('target_name', 'text')
      .addColumn('scope', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('success', 'integer', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('request_ip', 'text')
      .addColumn('client_trace_id', 'text')
      .execute();
    // Reading goes by time (newest or oldest first, id breaks ties); so does pruning.
    await db.schema
      .createIndex('audit_events_time_idx')
      .on('audit_events')
      .columns(['occurred_at_ms', 'id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('audit_events_time_idx').execute();
    await db.schema.dropTable('audit_events').ifExists().execute();
  },
};
