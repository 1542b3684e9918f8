import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { ProjectsTable } from './database.js';
import type { StoreContext } from './store-context.js';

export interface ProjectRow {
  readonly id: string;
  readonly name: string;
  readonly gitUrl: string | null;
  readonly localPath: string | null;
  readonly defaultBranch: string;
  readonly configPath: string;
  readonly createdAtMs: number;
}

export interface NewProject {
  readonly id: string;
  readonly name: string;
  readonly gitUrl?: string | null;
  readonly localPath?: string | null;
  readonly defaultBranch: string;
  /** Defaults to `.circleci/config.yml`. */
  readonly configPath?: string;
  readonly createdAtMs: number;
}

function toRow(r: Selectable<ProjectsTable>): ProjectRow {
  return {
    id: r.id,
    name: r.name,
    gitUrl: r.git_url,
    localPath: r.local_path,
    defaultBranch: r.default_branch,
    configPath: r.config_path,
    createdAtMs: r.created_at_ms,
  };
}

export class ProjectsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Throws AppError CONFLICT when the name (or id) is taken. */
  async create(project: NewProject): Promise<ProjectRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('projects')
          .values({
            id: project.id,
            name: project.name,
            git_url: project.gitUrl ?? null,
            local_path: project.localPath ?? null,
            default_branch: project.defaultBranch,
            config_path: project.configPath,
            created_at_ms: project.createdAtMs,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { conflict: `a project named "${project.name}" already exists` },
    );
    return toRow(row);
  }

  async get(id: string): Promise<ProjectRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  async getByName(name: string): Promise<ProjectRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** Changes the given settings; returns the project as it is now (undefined: no such id). */
  async updateSettings(
    id: string,
    settings: { readonly defaultBranch?: string; readonly configPath?: string },
  ): Promise<ProjectRow | undefined> {
    const values = {
      ...(settings.defaultBranch === undefined ? {} : { default_branch: settings.defaultBranch }),
      ...(settings.configPath === undefined ? {} : { config_path: settings.configPath }),
    };
    if (Object.keys(values).length > 0)
      await this.#ctx.db.updateTable('projects').set(values).where('id', '=', id).execute();
    return this.get(id);
  }

  /** All projects, by name. */
  async list(): Promise<readonly ProjectRow[]> {
    const rows = await this.#ctx.db.selectFrom('projects').selectAll().orderBy('name').execute();
    return rows.map(toRow);
  }
}
