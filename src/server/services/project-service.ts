import type {
  CreateProjectRequest,
  EnvVarView,
  ProjectView,
  UpdateProjectRequest,
} from '../../protocol/rest-api.js';
import { AppError } from '../../shared/app-error.js';
import { redactUrl } from '../../shared/redact-url.js';
import type { ProjectRow } from '../store/projects-repository.js';
import { type Caller, systemCaller } from './audit-caller.js';
import { projectAuditRef } from './audit-refs.js';
import type { AuditService } from './audit-service.js';
import type { ServiceDeps } from './service-deps.js';

export function projectView(p: ProjectRow): ProjectView {
  return {
    id: p.id,
    name: p.name,
    gitUrl: p.gitUrl,
    localPath: p.localPath,
    defaultBranch: p.defaultBranch,
    configPath: p.configPath,
    createdAt: new Date(p.createdAtMs).toISOString(),
  };
}

/** Projects and their environment variables (encrypted at rest, write-only through the API). */
export class ProjectService {
  readonly #d: ServiceDeps;
  readonly #audit: AuditService;

  constructor(deps: ServiceDeps, audit: AuditService) {
    this.#d = deps;
    this.#audit = audit;
  }

  async create(input: CreateProjectRequest, caller: Caller = systemCaller): Promise<ProjectRow> {
    const project = await this.#d.store.projects.create({
      id: this.#d.newId(),
      name: input.name,
      gitUrl: input.gitUrl ?? null,
      localPath: input.localPath ?? null,
      defaultBranch: input.defaultBranch,
      configPath: input.configPath,
      createdAtMs: this.#d.clock.nowMs(),
    });
    await this.#audit.record({
      action: 'project.create',
      caller,
      target: projectAuditRef(project),
      scope: projectAuditRef(project),
      payload: {
        // A git URL may carry a token: the audit log keeps it redacted.
        git_url: project.gitUrl === null ? null : redactUrl(project.gitUrl),
        local_path: project.localPath,
        default_branch: project.defaultBranch,
        config_path: project.configPath,
      },
    });
    return project;
  }

  /** Changes the default branch and/or the config path. */
  async updateSettings(
    projectRef: string,
    changes: UpdateProjectRequest,
    caller: Caller = systemCaller,
  ): Promise<ProjectRow> {
    const before = await this.get(projectRef);
    const after = await this.#d.store.projects.updateSettings(before.id, changes);
    if (!after) throw new AppError('NOT_FOUND', `project "${before.name}" was deleted just now`);
    const changed: Record<string, { from: string; to: string }> = {};
    if (before.defaultBranch !== after.defaultBranch)
      changed.default_branch = { from: before.defaultBranch, to: after.defaultBranch };
    if (before.configPath !== after.configPath)
      changed.config_path = { from: before.configPath, to: after.configPath };
    await this.#audit.record({
      action: 'project.settings.update',
      caller,
      target: projectAuditRef(after),
      scope: projectAuditRef(after),
      payload: { changed },
    });
    return after;
  }

  async list(): Promise<readonly ProjectRow[]> {
    return this.#d.store.projects.list();
  }

  /** By name or id. */
  async get(ref: string): Promise<ProjectRow> {
    const project =
      (await this.#d.store.projects.getByName(ref)) ?? (await this.#d.store.projects.get(ref));
    if (!project) {
      throw new AppError('NOT_FOUND', `no project named "${ref}"`, {
        hint: 'list projects with GET /api/v1/projects',
      });
    }
    return project;
  }

  async setEnvVar(
    projectRef: string,
    name: string,
    value: string,
    caller: Caller = systemCaller,
  ): Promise<void> {
    const project = await this.get(projectRef);
    const now = this.#d.clock.nowMs();
    const ciphertext = this.#d.secrets.seal(value, `${project.id}/${name}`);
    await this.#d.store.envVars.set({ projectId: project.id, name, ciphertext, nowMs: now });
    await this.#audit.record({
      action: 'project.env_var.create',
      caller,
      target: projectAuditRef(project),
      scope: projectAuditRef(project),
      payload: { name },
    });
  }

  async deleteEnvVar(
    projectRef: string,
    name: string,
    caller: Caller = systemCaller,
  ): Promise<void> {
    const project = await this.get(projectRef);
    const removed = await this.#d.store.envVars.delete(project.id, name);
    if (!removed)
      throw new AppError('NOT_FOUND', `project "${project.name}" has no variable ${name}`);
    await this.#audit.record({
      action: 'project.env_var.delete',
      caller,
      target: projectAuditRef(project),
      scope: projectAuditRef(project),
      payload: { name },
    });
  }

  /** Names and times only: values are never read back through the API. */
  async listEnvVars(projectRef: string): Promise<EnvVarView[]> {
    const project = await this.get(projectRef);
    const rows = await this.#d.store.envVars.listNames(project.id);
    return rows.map((r) => ({ name: r.name, updatedAt: new Date(r.updatedAtMs).toISOString() }));
  }

  /** Decrypted values, for the job environment of a claimed job only. */
  async decryptedEnv(projectId: string): Promise<Record<string, string>> {
    const rows = await this.#d.store.envVars.listEncrypted(projectId);
    const env: Record<string, string> = {};
    for (const r of rows)
      env[r.name] = this.#d.secrets.open(r.ciphertext, `${projectId}/${r.name}`);
    return env;
  }
}
