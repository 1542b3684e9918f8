import { describe, expect, it } from 'vitest';
import type { EngineJob } from './workflow-engine.js';
import { nextTransitions, settle, workflowStatusOf } from './workflow-engine.js';

const ok = ['success'];
const job = (
  id: string,
  status: EngineJob['status'],
  requires: string[] = [],
  type: EngineJob['type'] = 'build',
): EngineJob => ({
  id,
  name: id,
  type,
  status,
  requires: requires.map((name) => ({ name, statuses: ok })),
});

describe('workflow engine', () => {
  it('queues a job whose requires all succeeded', () => {
    expect(nextTransitions([job('a', 'success'), job('b', 'blocked', ['a'])])).toEqual([
      { jobId: 'b', from: 'blocked', to: 'queued' },
    ]);
  });

  it('keeps a job blocked while a required job runs', () => {
    expect(nextTransitions([job('a', 'running'), job('b', 'blocked', ['a'])])).toEqual([]);
  });

  it('puts an approval job on hold when its requires are met', () => {
    expect(
      nextTransitions([job('a', 'success'), job('hold', 'blocked', ['a'], 'approval')])[0]?.to,
    ).toBe('on_hold');
  });

  it('marks dependents not_run when a required job failed, cascading down the graph', () => {
    const { transitions } = settle([
      job('a', 'failed'),
      job('b', 'blocked', ['a']),
      job('c', 'blocked', ['b']),
    ]);
    expect(transitions.map((t) => `${t.jobId}:${t.to}`)).toEqual(['b:not_run', 'c:not_run']);
    expect(transitions[0]?.reason).toBe('required job a ended failed');
  });

  it('honours status conditions: a job that requires failed runs after a failure', () => {
    const jobs: EngineJob[] = [
      job('a', 'failed'),
      {
        id: 'notify',
        name: 'notify',
        type: 'build',
        status: 'blocked',
        requires: [{ name: 'a', statuses: ['failed'] }],
      },
    ];
    expect(nextTransitions(jobs)[0]?.to).toBe('queued');
  });

  it('waits for every parallel copy of a required job', () => {
    const copies: EngineJob[] = [
      { ...job('t0', 'success'), name: 'test' },
      { ...job('t1', 'running'), name: 'test' },
    ];
    expect(nextTransitions([...copies, job('deploy', 'blocked', ['test'])])).toEqual([]);
    const done = copies.map((c) => ({ ...c, status: 'success' as const }));
    expect(nextTransitions([...done, job('deploy', 'blocked', ['test'])])[0]?.to).toBe('queued');
  });

  it.each([
    [['success', 'success'], 'success'],
    [['success', 'running'], 'running'],
    [['success', 'on_hold'], 'on_hold'],
    [['failed', 'not_run'], 'failed'],
    [['infrastructure_fail'], 'failed'],
    [['canceled', 'success'], 'canceled'],
    [['success', 'blocked'], 'running'],
  ] as const)('workflow status of %j is %s', (statuses, expected) => {
    expect(workflowStatusOf(statuses.map((status) => ({ status })))).toBe(expected);
  });
});
