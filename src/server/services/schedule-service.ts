import { join } from 'node:path';
import type { PlanSchedule } from '../../pipeline/plan.js';
import { latestCronSlot } from '../scheduler/cron-slots.js';
import { scheduledBranches } from '../scheduler/scheduled-branches.js';
import type { ProjectRow } from '../store/projects-repository.js';
import { compileForServer } from './compile-for-server.js';
import { type GitRun, readFileAt, readTreeAt, resolveSource } from './git-source.js';
import { readOrbFolder } from './operator-orbs.js';
import type { PipelineService } from './pipeline-service.js';
import type { ServiceDeps } from './service-deps.js';

export interface ScheduleServiceOptions {
  /**
   * How far back the first tick after start looks for a slot that no replica fired (a restart
   * across a slot), in ms. Default 60 000.
   */
  readonly lookbackMs?: number;
  /**
   * Projects with a git URL: how long the schedules read from the default branch are reused
   * before the mirror is fetched and the config read again, in ms. Default 300 000. Local
   * projects are read on every tick (no fetch).
   */
  readonly remoteRefreshMs?: number;
}

/** One schedule slot handled by a tick: the pipeline it started, or why it could not start. */
export interface FiredSchedule {
  readonly projectId: string;
  readonly workflow: string;
  readonly cron: string;
  readonly branch: string;
  readonly slotMs: number;
  readonly pipelineId?: string;
  readonly error?: string;
}

interface ReadSchedules {
  readonly readAtMs: number;
  readonly revision: string | undefined;
  readonly schedules: readonly PlanSchedule[];
  readonly branches: readonly string[];
  /** The config did not compile: no schedule fires until it does. */
  readonly broken: boolean;
}

/** Fired-slot records are kept this long, then forgotten (ms). */
const firedRetentionMs = 7 * 24 * 3_600_000;
const housekeepingEveryMs = 3_600_000;

/**
 * Schedule triggers (`triggers: [{schedule: {cron, filters}}]` of a workflow): on every tick,
 * for each project, reads the config at the default branch, and for each schedule whose cron
 * slot (UTC) fell since the previous tick, starts a pipeline of that workflow on every branch
 * its filter names. A slot fires once across all server replicas: the first replica to record
 * it in the store (`schedules.tryMark`) starts the pipelines; a slot is recorded before its
 * pipeline starts, so a failure to start is logged and not retried.
 */
export class ScheduleService {
  readonly #d: ServiceDeps;
  readonly #pipelines: PipelineService;
  readonly #git: GitRun;
  readonly #lookbackMs: number;
  readonly #remoteRefreshMs: number;
  readonly #read = new Map<string, ReadSchedules>();
  #checkedUntilMs: number | undefined;
  #housekeptAtMs = 0;

  constructor(
    deps: ServiceDeps,
    pipelines: PipelineService,
    git: GitRun,
    options: ScheduleServiceOptions = {},
  ) {
    this.#d = deps;
    this.#pipelines = pipelines;
    this.#git = git;
    this.#lookbackMs = options.lookbackMs ?? 60_000;
    this.#remoteRefreshMs = options.remoteRefreshMs ?? 300_000;
  }

  /**
   * Fires every schedule with a slot in (previous tick, now]: the latest such slot, once (a
   * server that was stalled across several slots starts one pipeline, not one per slot).
   * Returns what it fired, including triggers that failed to start.
   */
  async tick(): Promise<readonly FiredSchedule[]> {
    const { store, clock, logger } = this.#d;
    const nowMs = clock.nowMs();
    const afterMs = this.#checkedUntilMs ?? nowMs - this.#lookbackMs;
    if (nowMs <= afterMs) return [];
    // When the store cannot list the projects, the next tick covers this window again.
    const projects = await store.projects.list();
    this.#checkedUntilMs = nowMs;
    const fired: FiredSchedule[] = [];
    for (const project of projects) {
      let read: ReadSchedules;
      try {
        read = await this.#schedulesOf(project, nowMs);
      } catch (error) {
        logger.warn(
          { err: error, project: project.name },
          'schedule triggers: cannot read the config at the default branch',
        );
        continue;
      }
      for (const schedule of read.schedules) {
        const slotMs = latestCronSlot(schedule.cron, afterMs, nowMs);
        if (slotMs === undefined) continue;
        fired.push(...(await this.#fire(project, schedule, read.branches, slotMs)));
      }
    }
    for (const id of [...this.#read.keys()])
      if (!projects.some((p) => p.id === id)) this.#read.delete(id);
    if (nowMs - this.#housekeptAtMs >= housekeepingEveryMs) {
      this.#housekeptAtMs = nowMs;
      await store.schedules.deleteBefore(nowMs - firedRetentionMs);
    }
    return fired;
  }

  async #fire(
    project: ProjectRow,
    schedule: PlanSchedule,
    existing: readonly string[],
    slotMs: number,
  ): Promise<FiredSchedule[]> {
    const { store, logger } = this.#d;
    const { branches, missing } = scheduledBranches(schedule.branches, existing);
    const slot = new Date(slotMs).toISOString();
    if (missing.length > 0)
      logger.warn(
        { project: project.name, workflow: schedule.workflow, branches: missing, slot },
        'schedule trigger names branches the repository does not have; they are not built',
      );
    const fired: FiredSchedule[] = [];
    for (const branch of branches) {
      const key = `${schedule.workflow}@${branch} ${schedule.cron}`;
      // Exactly one replica records the slot; the others skip it.
      if (!(await store.schedules.tryMark(project.id, key, slotMs))) continue;
      const base = {
        projectId: project.id,
        workflow: schedule.workflow,
        cron: schedule.cron,
        branch,
        slotMs,
      };
      try {
        const pipeline = await this.#pipelines.trigger(
          project.id,
          { branch, parameters: {} },
          {
            source: 'schedule',
            by: null,
            scheduleName: schedule.workflow,
            scheduledWorkflow: schedule.workflow,
          },
        );
        logger.info(
          {
            project: project.name,
            workflow: schedule.workflow,
            branch,
            slot,
            pipelineId: pipeline.id,
          },
          'schedule trigger fired',
        );
        fired.push({ ...base, pipelineId: pipeline.id });
      } catch (error) {
        logger.error(
          { err: error, project: project.name, workflow: schedule.workflow, branch, slot },
          'schedule trigger could not start its pipeline',
        );
        fired.push({ ...base, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return fired;
  }

  /** The schedules of the config at the default branch, and the repository's branches. */
  async #schedulesOf(project: ProjectRow, nowMs: number): Promise<ReadSchedules> {
    const cached = this.#read.get(project.id);
    if (cached && project.gitUrl && nowMs - cached.readAtMs < this.#remoteRefreshMs) return cached;
    const git = this.#git;
    const source = await resolveSource(
      git,
      project,
      { branch: project.defaultBranch },
      join(this.#d.config.dataDir, 'git'),
    );
    const branches = source.workingTree
      ? [project.defaultBranch]
      : (
          await git(['for-each-ref', '--format=%(refname:strip=2)', 'refs/heads'], {
            cwd: source.repoDir,
          })
        )
          .split('\n')
          .filter(Boolean);
    if (cached && !source.workingTree && cached.revision === source.revision) {
      const fresh = { ...cached, readAtMs: nowMs, branches };
      this.#read.set(project.id, fresh);
      return fresh;
    }
    const text = await readFileAt(git, source, project.configPath);
    let schedules: readonly PlanSchedule[] = [];
    let broken = false;
    if (text !== undefined) {
      const compiled = compileForServer({
        file: project.configPath,
        text,
        orbFiles: new Map([
          ...(await readOrbFolder(this.#d.config.orbsDir)),
          ...(await readTreeAt(git, source, '.circleci/orbs')),
        ]),
        parameters: {},
        pipeline: {
          id: 'schedules',
          number: 0,
          branch: source.branch,
          tag: undefined,
          revision: source.revision,
          gitUrl: project.gitUrl ?? project.localPath ?? '',
          projectSlug: `airlock/${project.name}`,
          triggerSource: 'schedule',
          scheduleName: undefined,
        },
      });
      broken = compiled.plan === undefined;
      if (compiled.plan) schedules = compiled.plan.schedules;
      else if (!cached?.broken || cached.revision !== source.revision)
        this.#d.logger.warn(
          { project: project.name, revision: source.revision },
          'schedule triggers: the config at the default branch has errors; no schedule fires until it is fixed',
        );
    }
    const read = { readAtMs: nowMs, revision: source.revision, schedules, branches, broken };
    this.#read.set(project.id, read);
    return read;
  }
}
