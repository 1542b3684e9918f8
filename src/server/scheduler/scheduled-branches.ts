import { matchesFilter } from '../../pipeline/filters.js';
import type { PlanBranchFilter } from '../../pipeline/plan.js';

export interface ScheduledBranches {
  /** The existing branches the filter names, sorted: a schedule builds each of them. */
  readonly branches: readonly string[];
  /** Branches the filter names exactly that the repository does not have (nothing to build). */
  readonly missing: readonly string[];
}

/**
 * The branches a schedule trigger builds: of the repository's branches, those its filter lets
 * through (`only` names or patterns; without `only`, every branch not in `ignore`). A pattern can
 * only match a branch that exists, and an exact name that does not exist is reported missing.
 */
export function scheduledBranches(
  filter: PlanBranchFilter,
  existing: readonly string[],
): ScheduledBranches {
  const branches = [...new Set(existing.filter((branch) => matchesFilter(filter, branch)))].sort();
  const missing = [
    ...new Set(
      filter.only.flatMap((m) =>
        m.kind === 'exact' && !existing.includes(m.value) ? [m.value] : [],
      ),
    ),
  ];
  return { branches, missing };
}
