import { AppError } from '../../shared/app-error.js';

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** A unique or primary-key violation, from PostgreSQL (23505) or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** A foreign-key violation (the row points at something that does not exist). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export interface ConstraintMessages {
  /** Message of the CONFLICT error thrown on a unique violation. */
  readonly conflict?: string;
  /** Message of the NOT_FOUND error thrown on a foreign-key violation. */
  readonly missing?: string;
}

/**
 * Runs a write and turns constraint violations into AppErrors with the same code on both
 * dialects (CONFLICT, NOT_FOUND), so callers never look at driver error codes or text.
 */
export async function withConstraintErrors<T>(
  work: () => Promise<T>,
  messages: ConstraintMessages,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (messages.conflict !== undefined && isUniqueViolation(error)) {
      throw new AppError('CONFLICT', messages.conflict, { cause: error });
    }
    if (messages.missing !== undefined && isForeignKeyViolation(error)) {
      throw new AppError('NOT_FOUND', messages.missing, { cause: error });
    }
    throw error;
  }
}
