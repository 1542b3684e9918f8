import { describe, expect, it } from 'vitest';
import type { PlanBranchFilter, PlanNameMatcher } from '../../pipeline/plan.js';
import { scheduledBranches } from './scheduled-branches.js';

const exact = (value: string): PlanNameMatcher => ({ kind: 'exact', value });
const regex = (pattern: string): PlanNameMatcher => ({
  kind: 'regex',
  pattern: `^(?:${pattern})$`,
  flags: '',
});
const filter = (only: PlanNameMatcher[], ignore: PlanNameMatcher[] = []): PlanBranchFilter => ({
  only,
  ignore,
});
const repo = ['main', 'develop', 'release/1.0', 'release/2.0', 'feature/x'];

describe('scheduledBranches', () => {
  it('builds the branches named exactly', () => {
    expect(scheduledBranches(filter([exact('main'), exact('develop')]), repo)).toEqual({
      branches: ['develop', 'main'],
      missing: [],
    });
  });

  it('reports exact names the repository does not have, and builds none of them', () => {
    expect(scheduledBranches(filter([exact('main'), exact('gone')]), repo)).toEqual({
      branches: ['main'],
      missing: ['gone'],
    });
  });

  it('matches patterns against the existing branches only, as whole names', () => {
    expect(scheduledBranches(filter([regex('release/.*')]), repo).branches).toEqual([
      'release/1.0',
      'release/2.0',
    ]);
    expect(scheduledBranches(filter([regex('release')]), repo).branches).toEqual([]);
  });

  it('without only, builds every branch that ignore does not name', () => {
    expect(scheduledBranches(filter([], [regex('release/.*'), exact('feature/x')]), repo)).toEqual({
      branches: ['develop', 'main'],
      missing: [],
    });
  });

  it('builds nothing in a repository without branches', () => {
    expect(scheduledBranches(filter([exact('main')]), [])).toEqual({
      branches: [],
      missing: ['main'],
    });
  });
});
