import type { Repositories } from '../store/store.js';

export interface InterruptedJobs {
  /** Jobs that were running at backup time, now infrastructure_fail. */
  readonly jobIds: readonly string[];
  /** Their workflows, to re-evaluate once the restore has committed. */
  readonly workflowIds: readonly string[];
}

/** The reason a restored job shows, and the last line of its log. */
export function interruptedReason(backupCreatedAt: string): string {
  return `this job was running when the backup of ${backupCreatedAt} was taken; what it did after that was not recorded, so the restore ended it as infrastructure_fail (rerun the workflow to run it again)`;
}

/**
 * A point-in-time backup taken while jobs run holds those jobs half-way: `running`, with part
 * of their log and a lease nobody will renew. Restored as they are, they would show as running
 * until the lease reaper noticed, with no word of why. Instead each one ends here as
 * `infrastructure_fail` with the reason (and a last log line saying it), and its running steps
 * as `canceled`, inside the restore's transaction.
 */
export async function failInterruptedJobs(
  tx: Repositories,
  backupCreatedAt: string,
  nowMs: number,
): Promise<InterruptedJobs> {
  const reason = interruptedReason(backupCreatedAt);
  const running = await tx.jobs.list({ status: 'running', limit: 1_000_000 });
  const jobIds: string[] = [];
  for (const job of running) {
    const changed = await tx.jobs.transition(job.id, ['running'], 'infrastructure_fail', {
      finishedAtMs: nowMs,
      pendingReason: reason,
      leaseExpiresAtMs: null,
      cancelRequested: false,
    });
    if (!changed) continue;
    jobIds.push(job.id);
    for (const step of await tx.steps.listByJob(job.id))
      if (step.status === 'running')
        await tx.steps.upsert({ ...step, status: 'canceled', finishedAtMs: nowMs });
    const chunks = await tx.logs.list(job.id);
    const last = chunks[chunks.length - 1];
    await tx.logs.append({
      jobId: job.id,
      seq: last ? last.seq + 1 : 0,
      offset: await tx.logs.totalBytes(job.id),
      data: `\n[airlock] ${reason}\n`,
      createdAtMs: nowMs,
    });
  }
  return { jobIds, workflowIds: [...new Set(running.map((j) => j.workflowId))] };
}
