import type { StoreContext } from './store-context.js';

/** Tokens a running job uses to call the server (`airlock tests split`); stored as hashes. */
export class JobTokensRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(tokenHash: string, jobId: string, createdAtMs: number): Promise<void> {
    await this.#ctx.db
      .insertInto('job_tokens')
      .values({ token_hash: tokenHash, job_id: jobId, created_at_ms: createdAtMs })
      .execute();
  }

  /** The job the token belongs to, if any. */
  async jobOf(tokenHash: string): Promise<string | undefined> {
    const r = await this.#ctx.db
      .selectFrom('job_tokens')
      .select('job_id')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r?.job_id;
  }
}
