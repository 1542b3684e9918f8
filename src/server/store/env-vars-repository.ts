import { withConstraintErrors } from './constraint-errors.js';
import type { StoreContext } from './store-context.js';

/** A project environment variable without its value. */
export interface EnvVarNameRow {
  readonly projectId: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** A project environment variable with its encrypted value (base64 text; services decrypt). */
export interface EnvVarEncryptedRow extends EnvVarNameRow {
  readonly ciphertext: string;
}

export interface SetEnvVar {
  readonly projectId: string;
  readonly name: string;
  readonly ciphertext: string;
  readonly nowMs: number;
}

/**
 * Project environment variables. The store keeps ciphertext only; encryption (AES-256-GCM) is
 * the services' job.
 */
export class EnvVarsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Inserts or replaces; `createdAtMs` survives a replace. NOT_FOUND for an unknown project. */
  async set(input: SetEnvVar): Promise<void> {
    await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('project_env_vars')
          .values({
            project_id: input.projectId,
            name: input.name,
            ciphertext: input.ciphertext,
            created_at_ms: input.nowMs,
            updated_at_ms: input.nowMs,
          })
          .onConflict((oc) =>
            oc.columns(['project_id', 'name']).doUpdateSet({
              ciphertext: (eb) => eb.ref('excluded.ciphertext'),
              updated_at_ms: (eb) => eb.ref('excluded.updated_at_ms'),
            }),
          )
          .execute(),
      { missing: `project ${input.projectId} does not exist` },
    );
  }

  /** Returns whether a variable was deleted. */
  async delete(projectId: string, name: string): Promise<boolean> {
    const result = await this.#ctx.db
      .deleteFrom('project_env_vars')
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Names and times only, by name: what the UI and API may show. */
  async listNames(projectId: string): Promise<readonly EnvVarNameRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('project_env_vars')
      .select(['project_id', 'name', 'created_at_ms', 'updated_at_ms'])
      .where('project_id', '=', projectId)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      projectId: r.project_id,
      name: r.name,
      createdAtMs: r.created_at_ms,
      updatedAtMs: r.updated_at_ms,
    }));
  }

  /** With ciphertext, by name: for building a job's environment. */
  async listEncrypted(projectId: string): Promise<readonly EnvVarEncryptedRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('project_env_vars')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      projectId: r.project_id,
      name: r.name,
      ciphertext: r.ciphertext,
      createdAtMs: r.created_at_ms,
      updatedAtMs: r.updated_at_ms,
    }));
  }
}
