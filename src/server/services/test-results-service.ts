import type { TestCase, TestResultsView, TimingsResponse } from '../../protocol/storage-api.js';
import type { JobRow } from '../store/jobs-repository.js';
import type { TestCaseRow } from '../store/test-cases-repository.js';
import type { StorageAccess } from './storage-access.js';

const toCase = (r: TestCaseRow): TestCase => ({
  suite: r.suite,
  classname: r.classname,
  name: r.name,
  file: r.file,
  timeMs: r.timeMs,
  result: r.result,
  message: r.message,
});

/** Test cases from JUnit XML: stored per job, summarised, and timings for test splitting. */
export class TestResultsService {
  readonly #a: StorageAccess;

  constructor(access: StorageAccess) {
    this.#a = access;
  }

  async store(job: JobRow, cases: readonly TestCase[]): Promise<number> {
    const now = this.#a.deps.clock.nowMs();
    return this.#a.deps.store.storage.testCases.append(
      job.id,
      cases.map((c) => ({
        projectId: job.projectId,
        jobName: job.name,
        suite: c.suite,
        classname: c.classname,
        name: c.name,
        file: c.file,
        timeMs: c.timeMs,
        result: c.result,
        message: c.message,
        createdAtMs: now,
      })),
    );
  }

  /** Failures (and errors) first, then the rest; the 20 slowest. */
  async view(jobId: string): Promise<TestResultsView> {
    const rows = await this.#a.deps.store.storage.testCases.listByJob(jobId);
    const rank = (r: TestCaseRow): number =>
      r.result === 'failed' || r.result === 'error' ? 0 : r.result === 'skipped' ? 2 : 1;
    const cases = [...rows].sort((a, b) => rank(a) - rank(b) || a.seq - b.seq).map(toCase);
    const slowest = [...rows]
      .sort((a, b) => b.timeMs - a.timeMs || a.seq - b.seq)
      .slice(0, 20)
      .map(toCase);
    const count = (result: string): number => rows.filter((r) => r.result === result).length;
    return {
      summary: {
        total: rows.length,
        passed: count('passed'),
        failed: count('failed'),
        errors: count('error'),
        skipped: count('skipped'),
        timeMs: rows.reduce((sum, r) => sum + r.timeMs, 0),
      },
      cases,
      slowest,
    };
  }

  /** Cases of the latest earlier run of the same job (every parallel node), for `tests split`. */
  async timings(job: JobRow): Promise<TimingsResponse> {
    const repo = this.#a.deps.store.storage.testCases;
    const jobIds = await repo.latestRunJobs(job.projectId, job.name, job.workflowId);
    const cases: TimingsResponse['cases'] = [];
    for (const id of jobIds) {
      for (const r of await repo.listByJob(id))
        cases.push({ file: r.file, classname: r.classname, name: r.name, timeMs: r.timeMs });
    }
    return { found: cases.length > 0, cases };
  }
}
