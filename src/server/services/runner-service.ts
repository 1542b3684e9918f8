import type { NodeView } from '../../protocol/rest-api.js';
import type { RegisterRequest } from '../../protocol/runner-api.js';
import { AppError } from '../../shared/app-error.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { RunnerRow } from '../store/runners-repository.js';
import {
  type Caller,
  type RequestOrigin,
  anonymousCaller,
  runnerCaller,
  systemCaller,
} from './audit-caller.js';
import type { AuditService } from './audit-service.js';
import type { ServiceDeps } from './service-deps.js';

/** A runner's last-seen time is written at most this often by `touch`, in ms. */
const touchIntervalMs = 1000;

/** Build nodes: registration, authentication, the nodes view and drain. */
export class RunnerService {
  readonly #d: ServiceDeps;
  readonly #audit: AuditService;

  constructor(deps: ServiceDeps, audit: AuditService) {
    this.#d = deps;
    this.#audit = audit;
  }

  async register(
    req: RegisterRequest,
    origin?: RequestOrigin,
  ): Promise<{ runnerId: string; token: string }> {
    const { store, clock } = this.#d;
    const registration = await store.registrationTokens.getByHash(hashToken(req.registrationToken));
    const now = clock.nowMs();
    const facts = {
      hostname: req.hostname,
      resource_classes: req.resourceClasses,
      executors: req.executors,
      capacity: req.capacity,
      version: req.version,
    };
    if (!registration || (registration.expiresAtMs !== null && registration.expiresAtMs <= now)) {
      await this.#audit.record({
        action: 'runner.register',
        caller: anonymousCaller(req.name, origin),
        target: { id: 'unknown', type: 'runner', name: req.name },
        payload: { ...facts, reason: registration ? 'expired_token' : 'unknown_token' },
        success: false,
      });
      throw new AppError('UNAUTHENTICATED', 'the registration token is unknown or expired', {
        hint: 'an admin creates one with POST /api/v1/runner-tokens (or in the web UI under Admin)',
      });
    }
    const token = newToken('runner');
    const runnerId = this.#d.newId();
    await store.runners.create({
      id: runnerId,
      name: req.name,
      hostname: req.hostname,
      tokenHash: hashToken(token),
      resourceClasses: req.resourceClasses,
      executors: req.executors,
      capacity: req.capacity,
      version: req.version,
      drain: false,
      createdAtMs: now,
      lastSeenAtMs: now,
    });
    this.#d.logger.info(
      { runnerId, name: req.name, resourceClasses: req.resourceClasses },
      'runner registered',
    );
    const self = { id: runnerId, name: req.name };
    await this.#audit.record({
      action: 'runner.register',
      caller: runnerCaller(self, origin),
      target: { id: runnerId, type: 'runner', name: req.name },
      payload: { ...facts, registration_token_id: registration.id },
    });
    return { runnerId, token };
  }

  async authenticate(token: string): Promise<RunnerRow> {
    const runner = await this.#d.store.runners.getByTokenHash(hashToken(token));
    if (!runner) {
      throw new AppError('UNAUTHENTICATED', 'unknown runner token', {
        hint: 'register the runner again (delete its identity file in the work dir)',
      });
    }
    return runner;
  }

  async touch(
    runner: RunnerRow,
    update?: { resourceClasses?: readonly string[]; executors?: readonly string[] },
  ): Promise<void> {
    const now = this.#d.clock.nowMs();
    // Every claim touches its runner; a runner seen within the last second with the same
    // classes and executors is left alone, which spares a write per claim under load.
    const same = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
      a === undefined || (a.length === b.length && a.every((v, i) => v === b[i]));
    if (
      now - runner.lastSeenAtMs < touchIntervalMs &&
      now >= runner.lastSeenAtMs &&
      same(update?.resourceClasses, runner.resourceClasses) &&
      same(update?.executors, runner.executors)
    )
      return;
    await this.#d.store.runners.touch(runner.id, now, update);
  }

  async list(): Promise<NodeView[]> {
    const { store, clock, config } = this.#d;
    const runners = await store.runners.list();
    const running = await store.jobs.list({ status: 'running', limit: 10_000 });
    const now = clock.nowMs();
    return runners.map((r) => ({
      id: r.id,
      name: r.name,
      hostname: r.hostname ?? '',
      resourceClasses: r.resourceClasses,
      executors: r.executors,
      capacity: r.capacity,
      drain: r.drain,
      status: now - r.lastSeenAtMs <= config.runnerDownAfterMs ? 'ready' : 'down',
      runningJobs: running.filter((j) => j.runnerId === r.id).length,
      lastSeenAt: new Date(r.lastSeenAtMs).toISOString(),
      version: r.version ?? '',
    }));
  }

  async get(ref: string): Promise<RunnerRow> {
    const runner =
      (await this.#d.store.runners.get(ref)) ??
      (await this.#d.store.runners.list()).find((r) => r.name === ref);
    if (!runner)
      throw new AppError('NOT_FOUND', `no build node with id or name "${ref}"`, {
        hint: 'see `airlock nodes list`',
      });
    return runner;
  }

  async setDrain(ref: string, drain: boolean, caller: Caller = systemCaller): Promise<RunnerRow> {
    const runner = await this.get(ref);
    await this.#d.store.runners.setDrain(runner.id, drain);
    this.#d.logger.info({ runnerId: runner.id, drain }, drain ? 'drain enabled' : 'drain disabled');
    await this.#audit.record({
      action: drain ? 'runner.drain.enable' : 'runner.drain.disable',
      caller,
      target: { id: runner.id, type: 'runner', name: runner.name },
      payload: { was_draining: runner.drain },
    });
    return { ...runner, drain };
  }
}
