import type { StoreContext } from './store-context.js';

/** Which scheduled-trigger slots have fired, so that a cron slot fires once across replicas. */
export class SchedulesRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Marks the slot (project, trigger, slot time) as fired; returns true for the one caller that
   * marked it first, false for everyone after (INSERT … ON CONFLICT DO NOTHING).
   */
  async tryMark(projectId: string, triggerName: string, firedForMs: number): Promise<boolean> {
    const result = await this.#ctx.db
      .insertInto('schedules_fired')
      .values({ project_id: projectId, trigger_name: triggerName, fired_for_ms: firedForMs })
      .onConflict((oc) => oc.columns(['project_id', 'trigger_name', 'fired_for_ms']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /** Forgets slots older than beforeMs (housekeeping); returns how many. */
  async deleteBefore(beforeMs: number): Promise<number> {
    const result = await this.#ctx.db
      .deleteFrom('schedules_fired')
      .where('fired_for_ms', '<', beforeMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
