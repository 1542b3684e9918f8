import { contextNameSchema } from '../protocol/contexts-api.js';
import { envVarNameSchema } from '../protocol/rest-api.js';
import { AppError } from '../shared/app-error.js';

/**
 * Checks a context name argument before anything is sent: bad input is exit 2 with the rule it
 * breaks, the same rule the server applies.
 */
export function contextNameArg(value: string | undefined): string {
  const result = contextNameSchema.safeParse(value ?? '');
  if (result.success) return result.data;
  throw new AppError(
    'INVALID_ARGUMENT',
    `invalid context name "${value ?? ''}": ${result.error.issues[0]?.message ?? 'not accepted'}`,
    { hint: 'for example: aws-prod, docker_hub, team.release' },
  );
}

/** Checks an environment variable name argument (letters, digits and "_", not a digit first). */
export function variableNameArg(value: string | undefined): string {
  const result = envVarNameSchema.safeParse(value ?? '');
  if (result.success) return result.data;
  throw new AppError(
    'INVALID_ARGUMENT',
    `invalid variable name "${value ?? ''}": ${result.error.issues[0]?.message ?? 'not accepted'}`,
    { hint: 'for example: AWS_ACCESS_KEY_ID' },
  );
}

/** The REST path of a context, or of one of its variables. */
export function contextPath(context: string, variable?: string): string {
  const base = `/api/v1/contexts/${encodeURIComponent(context)}`;
  return variable === undefined ? base : `${base}/env/${encodeURIComponent(variable)}`;
}
