import type { ContextView } from '../../protocol/contexts-api.js';
import { AppError } from '../../shared/app-error.js';
import type { ContextRow, ContextVarNameRow } from '../store/contexts-repository.js';
import { callerOf } from './audit-caller.js';
import type { AuditService } from './audit-service.js';
import type { Principal } from './auth-service.js';
import type { ServiceDeps } from './service-deps.js';

/** What a job's `context:` list resolves to when the scheduler hands the job out. */
export type ResolvedContexts =
  | {
      readonly ok: true;
      /** Every listed context's variables, merged in the order listed: a later one wins. */
      readonly env: Record<string, string>;
      /** Every value of every listed context, for the runner to mask in the log. */
      readonly values: readonly string[];
    }
  | { readonly ok: false; readonly missing: readonly string[] };

export interface ContextServiceOptions {
  /**
   * What a job naming a context that does not exist gets: `fail` (the server: the job ends
   * `failed` without running) or `empty` (`airlock run`: a local run has no contexts, so the
   * job runs without their variables, as it runs without project variables).
   */
  readonly missingContexts?: 'fail' | 'empty';
}

function contextView(c: ContextRow, variables: readonly ContextVarNameRow[]): ContextView {
  return {
    id: c.id,
    name: c.name,
    createdAt: new Date(c.createdAtMs).toISOString(),
    createdBy: c.createdBy,
    variables: variables
      .filter((v) => v.contextId === c.id)
      .map((v) => ({ name: v.name, updatedAt: new Date(v.updatedAtMs).toISOString() })),
  };
}

/** The additional data a context variable's ciphertext is bound to (not a project's). */
function boundTo(contextId: string, name: string): string {
  return `context/${contextId}/${name}`;
}

/** Changing contexts needs an admin (FORBIDDEN otherwise). */
export function requireContextAdmin(principal: Principal): void {
  if (!principal.isAdmin) {
    throw new AppError('FORBIDDEN', 'only an admin can create, change or delete contexts', {
      hint: 'ask an admin, or list contexts with `airlock contexts list`',
    });
  }
}

/**
 * The one-line reason a job that names missing contexts ends `failed` with, also written to its
 * log: which contexts, and the command that creates them.
 */
export function missingContextsMessage(missing: readonly string[]): string {
  const quoted = missing.map((n) => `"${n}"`).join(', ');
  const create = missing.map((n) => `airlock contexts create ${n}`).join('; ');
  return missing.length === 1
    ? `context ${quoted} does not exist, so this job did not run: an admin can create it with \`${create}\`, add its variables with \`airlock contexts set-var ${missing[0]} NAME\`, then rerun the workflow`
    : `contexts ${quoted} do not exist, so this job did not run: an admin can create them with \`${create}\`, add their variables with \`airlock contexts set-var CONTEXT NAME\`, then rerun the workflow`;
}

/**
 * Contexts: shared environment variable sets, encrypted at rest under the operator's key (the
 * same SecretBox as project variables), write-only through the API. Anyone signed in may list
 * them; only admins change them.
 */
const contextRef = (c: ContextRow) => ({ id: c.id, type: 'context', name: c.name });

export class ContextService {
  readonly #d: ServiceDeps;
  readonly #audit: AuditService;
  readonly #missingAreEmpty: boolean;

  constructor(deps: ServiceDeps, audit: AuditService, options: ContextServiceOptions = {}) {
    this.#d = deps;
    this.#audit = audit;
    this.#missingAreEmpty = options.missingContexts === 'empty';
  }

  /** Every context with its variable names (no values), by name. */
  async list(): Promise<ContextView[]> {
    const { store } = this.#d;
    const contexts = await store.contexts.list();
    const variables = await store.contexts.listVariableNames();
    return contexts.map((c) => contextView(c, variables));
  }

  async get(name: string): Promise<ContextView> {
    const context = await this.#require(name);
    return contextView(context, await this.#d.store.contexts.listVariableNames([context.id]));
  }

  async create(principal: Principal, name: string): Promise<ContextView> {
    requireContextAdmin(principal);
    const context = await this.#d.store.contexts.create({
      id: this.#d.newId(),
      name,
      createdAtMs: this.#d.clock.nowMs(),
      createdBy: principal.username,
    });
    await this.#audit.record({
      action: 'context.create',
      caller: callerOf(principal),
      target: contextRef(context),
    });
    return contextView(context, []);
  }

  async delete(principal: Principal, name: string): Promise<void> {
    requireContextAdmin(principal);
    const context = await this.#require(name);
    const variables = await this.#d.store.contexts.listVariableNames([context.id]);
    await this.#d.store.contexts.delete(context.id);
    await this.#audit.record({
      action: 'context.delete',
      caller: callerOf(principal),
      target: contextRef(context),
      payload: { variables: variables.map((v) => v.name) },
    });
  }

  async setVariable(
    principal: Principal,
    contextName: string,
    name: string,
    value: string,
  ): Promise<void> {
    requireContextAdmin(principal);
    const context = await this.#require(contextName);
    await this.#d.store.contexts.setVariable({
      contextId: context.id,
      name,
      ciphertext: this.#d.secrets.seal(value, boundTo(context.id, name)),
      nowMs: this.#d.clock.nowMs(),
    });
    await this.#audit.record({
      action: 'context.env_var.store',
      caller: callerOf(principal),
      target: contextRef(context),
      payload: { name },
    });
  }

  async deleteVariable(principal: Principal, contextName: string, name: string): Promise<void> {
    requireContextAdmin(principal);
    const context = await this.#require(contextName);
    if (!(await this.#d.store.contexts.deleteVariable(context.id, name))) {
      throw new AppError('NOT_FOUND', `context "${context.name}" has no variable ${name}`, {
        hint: 'list its variables with `airlock contexts list`',
      });
    }
    await this.#audit.record({
      action: 'context.env_var.delete',
      caller: callerOf(principal),
      target: contextRef(context),
      payload: { name },
    });
  }

  /**
   * Decrypts the variables of the contexts a job lists, merged in that order (a later context
   * wins on the same name). Names that do not exist come back as `missing`, in listed order
   * (unless missing contexts are treated as empty). For the job assignment of a claimed job only.
   */
  async resolveForJob(names: readonly string[]): Promise<ResolvedContexts> {
    const { store, secrets } = this.#d;
    if (names.length === 0) return { ok: true, env: {}, values: [] };
    const found = new Map((await store.contexts.getByNames(names)).map((c) => [c.name, c]));
    const missing = [...new Set(names.filter((n) => !found.has(n)))];
    if (missing.length > 0 && !this.#missingAreEmpty) return { ok: false, missing };
    const rows = await store.contexts.listEncrypted([...found.values()].map((c) => c.id));
    const env: Record<string, string> = {};
    const values: string[] = [];
    for (const name of names) {
      const context = found.get(name);
      if (!context) continue;
      for (const row of rows) {
        if (row.contextId !== context.id) continue;
        const value = secrets.open(row.ciphertext, boundTo(context.id, row.name));
        env[row.name] = value;
        values.push(value);
      }
    }
    return { ok: true, env, values };
  }

  async #require(name: string): Promise<ContextRow> {
    const context = await this.#d.store.contexts.getByName(name);
    if (!context) {
      throw new AppError('NOT_FOUND', `no context named "${name}"`, {
        hint: `create it with \`airlock contexts create ${name}\` (admin), or list contexts with \`airlock contexts list\``,
      });
    }
    return context;
  }
}
