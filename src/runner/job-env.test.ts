import { describe, expect, it } from 'vitest';
import { composeJobEnv } from './job-env.js';

describe('composeJobEnv', () => {
  const layers = {
    base: { PATH: '/bin', HOME: '/h' },
    project: { A: 'project', B: 'project', C: 'project', D: 'project', E: 'project' },
    contexts: { B: 'context', C: 'context', D: 'context', E: 'context' },
    builtins: { C: 'builtin', D: 'builtin', E: 'builtin', CIRCLE_TAG: undefined },
    network: {},
    job: { D: 'job', E: 'job' },
    step: { E: 'step' },
  };

  it('applies run step > job > built-ins > contexts > project variables', () => {
    const env = composeJobEnv(layers);
    expect([env.A, env.B, env.C, env.D, env.E]).toEqual([
      'project',
      'context',
      'builtin',
      'job',
      'step',
    ]);
  });

  it('never turns an unset value into an empty string', () => {
    const env = composeJobEnv(layers);
    expect('CIRCLE_TAG' in env).toBe(false);
  });

  it('keeps a value that is really empty', () => {
    expect(composeJobEnv({ ...layers, job: { EMPTY: '' } }).EMPTY).toBe('');
  });
});
