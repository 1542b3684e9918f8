import type { z } from 'zod';
import { AppError } from '../../shared/app-error.js';

/** Validates a request body (or query) with a protocol schema; a 400 that names every bad field. */
export function parseInput<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  what = 'request body',
): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    return `${path}: ${issue.message}`;
  });
  throw new AppError('INVALID_ARGUMENT', `invalid ${what}: ${problems.join('; ')}`, {
    details: {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}
