import { ApiTokensRepository } from './api-tokens-repository.js';
import { AuditEventsRepository } from './audit-events-repository.js';
import { ContextsRepository } from './contexts-repository.js';
import { EnvVarsRepository } from './env-vars-repository.js';
import { InvitationsRepository } from './invitations-repository.js';
import { JobsRepository } from './jobs-repository.js';
import { LogsRepository } from './logs-repository.js';
import { PipelinesRepository } from './pipelines-repository.js';
import { ProjectsRepository } from './projects-repository.js';
import { RegistrationTokensRepository } from './registration-tokens-repository.js';
import { RunnersRepository } from './runners-repository.js';
import { SchedulesRepository } from './schedules-repository.js';
import { SessionsRepository } from './sessions-repository.js';
import { SettingsRepository } from './settings-repository.js';
import { StepsRepository } from './steps-repository.js';
import { createStorageRepositories } from './storage-repositories.js';
import type { StoreContext } from './store-context.js';
import type { Repositories } from './store.js';
import { UsersRepository } from './users-repository.js';
import { WorkflowsRepository } from './workflows-repository.js';

/** Every repository over one context (the pool, or one transaction). */
export function createRepositories(ctx: StoreContext): Repositories {
  const jobs = new JobsRepository(ctx);
  return {
    projects: new ProjectsRepository(ctx),
    envVars: new EnvVarsRepository(ctx),
    contexts: new ContextsRepository(ctx),
    pipelines: new PipelinesRepository(ctx),
    workflows: new WorkflowsRepository(ctx),
    jobs,
    steps: new StepsRepository(ctx),
    runners: new RunnersRepository(ctx),
    logs: new LogsRepository(ctx),
    users: new UsersRepository(ctx),
    sessions: new SessionsRepository(ctx),
    apiTokens: new ApiTokensRepository(ctx),
    registrationTokens: new RegistrationTokensRepository(ctx),
    invitations: new InvitationsRepository(ctx),
    settings: new SettingsRepository(ctx),
    schedules: new SchedulesRepository(ctx),
    storage: createStorageRepositories(ctx),
    auditEvents: new AuditEventsRepository(ctx),
    notifyJobsQueued: (event = {}) => jobs.notifyQueued(event),
  };
}
