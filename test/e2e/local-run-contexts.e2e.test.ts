import { describe, expect, it } from 'vitest';
import { makeRepo } from './airlock-processes.js';
import { runAirlockCli } from './runner-world.js';

const config = `version: 2.1
jobs:
  deploy:
    machine: true
    steps:
      - run: echo "deploying with token '\${DEPLOY_TOKEN:-none}'"
workflows:
  main:
    jobs:
      - deploy:
          context: [aws-prod, registry]
`;

describe('airlock run: contexts (subprocess, from source)', { timeout: 180_000 }, () => {
  it('runs a job that names contexts without their variables, and says so', async () => {
    const repo = await makeRepo({ '.circleci/config.yml': config });
    const run = await runAirlockCli(['run'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      '⚠ deploy uses context aws-prod, registry: a local run has no contexts, so it runs without their variables',
    );
    expect(run.stdout).toContain("[deploy] deploying with token 'none'");
    expect(run.stderr).not.toContain('does not exist');
  });
});
