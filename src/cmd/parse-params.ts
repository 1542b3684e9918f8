import { AppError } from '../shared/app-error.js';

/** `--param k=v` values into pipeline parameters; `true`/`false` and integers keep their type. */
export function parseParams(values: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const value of values) {
    const index = value.indexOf('=');
    if (index <= 0) {
      throw new AppError('INVALID_ARGUMENT', `--param "${value}" is not key=value`, {
        hint: 'e.g. --param deploy=true',
      });
    }
    const key = value.slice(0, index);
    const raw = value.slice(index + 1);
    out[key] =
      raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}
