import type { StoreContext } from './store-context.js';

export type TestResult = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCaseRow {
  readonly jobId: string;
  readonly seq: number;
  readonly projectId: string;
  readonly jobName: string;
  readonly suite: string;
  readonly classname: string;
  readonly name: string;
  readonly file: string | null;
  readonly timeMs: number;
  readonly result: TestResult;
  readonly message: string | null;
  readonly createdAtMs: number;
}

/** Test cases parsed from the JUnit XML `store_test_results` uploaded. */
export class TestCasesRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Appends cases after the job's last one (seq continues). */
  async append(
    jobId: string,
    cases: readonly Omit<TestCaseRow, 'jobId' | 'seq'>[],
  ): Promise<number> {
    if (cases.length === 0) return 0;
    return this.#ctx.transaction(async ({ db }) => {
      const last = await db
        .selectFrom('test_cases')
        .select((eb) => eb.fn.max('seq').as('max'))
        .where('job_id', '=', jobId)
        .executeTakeFirst();
      let seq = last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1;
      for (let i = 0; i < cases.length; i += 200) {
        await db
          .insertInto('test_cases')
          .values(
            cases.slice(i, i + 200).map((c) => ({
              job_id: jobId,
              seq: seq++,
              project_id: c.projectId,
              job_name: c.jobName,
              suite: c.suite,
              classname: c.classname,
              name: c.name,
              file: c.file,
              time_ms: Math.round(c.timeMs),
              result: c.result,
              message: c.message,
              created_at_ms: c.createdAtMs,
            })),
          )
          .execute();
      }
      return cases.length;
    });
  }

  async listByJob(jobId: string): Promise<readonly TestCaseRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('test_cases')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      jobId: r.job_id,
      seq: r.seq,
      projectId: r.project_id,
      jobName: r.job_name,
      suite: r.suite,
      classname: r.classname,
      name: r.name,
      file: r.file,
      timeMs: Number(r.time_ms),
      result: r.result as TestResult,
      message: r.message,
      createdAtMs: Number(r.created_at_ms),
    }));
  }

  /**
   * The workflow run whose `jobName` jobs most recently stored test cases in the project,
   * other than `excludeWorkflowId`; the ids of those jobs (every parallel node).
   */
  async latestRunJobs(
    projectId: string,
    jobName: string,
    excludeWorkflowId: string,
  ): Promise<readonly string[]> {
    const latest = await this.#ctx.db
      .selectFrom('test_cases as t')
      .innerJoin('jobs as j', 'j.id', 't.job_id')
      .select(['j.workflow_id'])
      .where('t.project_id', '=', projectId)
      .where('t.job_name', '=', jobName)
      .where('j.workflow_id', '!=', excludeWorkflowId)
      .orderBy('t.created_at_ms', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!latest) return [];
    const jobs = await this.#ctx.db
      .selectFrom('jobs')
      .select('id')
      .where('workflow_id', '=', latest.workflow_id)
      .where('name', '=', jobName)
      .execute();
    return jobs.map((j) => j.id);
  }
}
