import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompleteRequest, JobAssignment, StepReport } from '../protocol/runner-api.js';
import { AppError } from '../shared/app-error.js';
import { MachineExecutor } from './executors/machine-executor.js';
import { type JobRunnerDeps, runJob } from './job-runner.js';
import type { LogBytesChunk } from './log-streamer.js';

const workDir = mkdtempSync(join(tmpdir(), 'airlock-job-runner-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** What the server would have received: the runner API as a recorder. */
function recorder() {
  const chunks: LogBytesChunk[] = [];
  const steps: StepReport[] = [];
  const results: CompleteRequest[] = [];
  const api: JobRunnerDeps['api'] = {
    sendLogs: async (_id, c) => void chunks.push(...c),
    reportStep: async (_id, s) => void steps.push(s),
    complete: async (_id, r) => void results.push(r),
  };
  return {
    api,
    steps,
    results,
    log: () => Buffer.concat(chunks.map((c) => c.data)).toString('utf8'),
  };
}

function assignment(spec: Record<string, unknown>, layers: Partial<JobAssignment>): JobAssignment {
  return {
    jobId: `job-${Math.random().toString(36).slice(2)}`,
    pipelineId: 'p',
    pipelineNumber: 1,
    workflowId: 'w',
    workflowName: 'main',
    projectName: 'demo',
    jobName: 'env',
    nodeIndex: 0,
    parallelism: 1,
    spec,
    checkout: { kind: 'local-dir', path: workDir },
    builtins: {},
    contextEnv: {},
    projectEnv: {},
    secrets: [],
    leaseMs: 60_000,
    heartbeatIntervalMs: 10_000,
    jobUrl: 'http://127.0.0.1/jobs/x',
    ...layers,
  };
}

describe('runJob with the machine executor', () => {
  it('layers the environment: step > job > built-ins > contexts > project variables', async () => {
    const r = recorder();
    const names = ['A', 'B', 'C', 'D', 'E'];
    const result = await runJob(
      assignment(
        {
          executor: { kind: 'machine' },
          environment: { C: 'job', D: 'job' },
          steps: [
            {
              type: 'run',
              name: 'print',
              command: `echo "${names.map((n) => `${n}=$${n}`).join(' ')}"`,
              environment: { D: 'step' },
            },
          ],
        },
        {
          projectEnv: { A: 'project', B: 'project', C: 'project', D: 'project', E: 'project' },
          contextEnv: { A: 'context', B: 'context', C: 'context', D: 'context' },
          builtins: { A: 'builtin', C: 'builtin', D: 'builtin' },
        },
      ),
      {
        api: r.api,
        executor: new MachineExecutor(workDir),
        runnerEnv: { PATH: process.env.PATH },
        network: () => ({ env: {}, files: [] }),
        log: () => undefined,
      },
      new AbortController().signal,
    );
    expect(result).toBe('success');
    expect(r.log()).toContain('A=builtin B=context C=job D=step E=project\n');
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['print', 'running'],
      ['print', 'success'],
    ]);
    expect(r.results).toEqual([{ status: 'success' }]);
  });

  it('keeps step reports and the result until an unreachable server takes them, and drops refused log chunks', async () => {
    const r = recorder();
    let outage = 3;
    const down = () => new AppError('NETWORK', 'connection refused');
    const result = await runJob(
      assignment(
        {
          executor: { kind: 'machine' },
          steps: [
            { type: 'run', name: 'one', command: 'echo one' },
            { type: 'run', name: 'two', command: 'echo two' },
          ],
        },
        {},
      ),
      {
        api: {
          sendLogs: async () => {
            throw new AppError('FORBIDDEN', 'job is not assigned to this runner');
          },
          reportStep: async (id, step) => {
            if (outage-- > 0) throw down();
            await r.api.reportStep(id, step);
          },
          complete: async (id, done) => {
            if (outage-- > -2) throw down();
            await r.api.complete(id, done);
          },
        },
        executor: new MachineExecutor(workDir),
        runnerEnv: { PATH: process.env.PATH },
        network: () => ({ env: {}, files: [] }),
        log: () => undefined,
      },
      new AbortController().signal,
    );
    expect(result).toBe('success');
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['one', 'running'],
      ['one', 'success'],
      ['two', 'running'],
      ['two', 'success'],
    ]);
    expect(r.results).toEqual([{ status: 'success' }]);
  });
});
