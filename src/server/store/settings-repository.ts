import { fromJsonText, toJsonText } from './json-text.js';
import type { StoreContext } from './store-context.js';

/** Server-wide settings changed at runtime: a key and a JSON value. */
export class SettingsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** The parsed value, or undefined when the key was never set. */
  async get(key: string): Promise<unknown> {
    const row = await this.#ctx.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row === undefined ? undefined : fromJsonText<unknown>(row.value);
  }

  /** Inserts or replaces the value (stored as JSON text; undefined is stored as null). */
  async set(key: string, value: unknown): Promise<void> {
    await this.#ctx.db
      .insertInto('settings')
      .values({ key, value: toJsonText(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: (eb) => eb.ref('excluded.value') }))
      .execute();
  }
}
