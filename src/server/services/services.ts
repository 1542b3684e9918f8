import { AuditService } from './audit-service.js';
import { AuthService } from './auth-service.js';
import { ContextService, type ContextServiceOptions } from './context-service.js';
import type { GitRun } from './git-source.js';
import { JobQueryService } from './job-query-service.js';
import { LdapAccountService, type LdapSetup } from './ldap-account-service.js';
import { PipelineService } from './pipeline-service.js';
import { ProjectService } from './project-service.js';
import { RunnerService } from './runner-service.js';
import { ScheduleService } from './schedule-service.js';
import { SchedulerService } from './scheduler-service.js';
import type { ServiceDeps } from './service-deps.js';
import { type StorageServices, createStorageServices } from './storage-services.js';
import { WorkflowService } from './workflow-service.js';

export interface Services {
  readonly deps: ServiceDeps;
  /** The audit log: every service records its events here; admins read it. */
  readonly audit: AuditService;
  readonly auth: AuthService;
  /** Set when LDAP sign-in is on. */
  readonly ldap: LdapAccountService | undefined;
  readonly projects: ProjectService;
  readonly contexts: ContextService;
  readonly workflows: WorkflowService;
  readonly pipelines: PipelineService;
  readonly scheduler: SchedulerService;
  readonly schedules: ScheduleService;
  readonly runners: RunnerService;
  readonly jobs: JobQueryService;
  readonly storage: StorageServices;
}

/** Choices of the process that composes the services (`airlock server` or `airlock run`). */
export interface ServicesOptions {
  readonly missingContexts?: ContextServiceOptions['missingContexts'];
  /** LDAP sign-in: the directory and the account policy (src/cmd builds them from settings). */
  readonly ldap?: LdapSetup | undefined;
}

export function createServices(
  deps: ServiceDeps,
  git: GitRun,
  options: ServicesOptions = {},
): Services {
  const audit = new AuditService(deps);
  const projects = new ProjectService(deps, audit);
  const contexts = new ContextService(deps, audit, {
    missingContexts: options.missingContexts ?? 'fail',
  });
  const workflows = new WorkflowService(deps, audit);
  const pipelines = new PipelineService(deps, projects, workflows, git, audit);
  const ldap = options.ldap
    ? new LdapAccountService(deps, audit, options.ldap.directory, options.ldap.policy)
    : undefined;
  return {
    deps,
    audit,
    auth: new AuthService(deps, audit, ldap),
    ldap,
    projects,
    contexts,
    workflows,
    pipelines,
    scheduler: new SchedulerService(deps, projects, workflows, contexts, audit),
    schedules: new ScheduleService(deps, pipelines, git),
    runners: new RunnerService(deps, audit),
    jobs: new JobQueryService(deps),
    storage: createStorageServices(deps),
  };
}
