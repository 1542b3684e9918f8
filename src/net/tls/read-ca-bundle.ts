import { readFileSync } from 'node:fs';
import { AppError } from '../../shared/app-error.js';
import { pemBlocks } from '../../shared/pem-blocks.js';

/**
 * Reads a PEM bundle of CA certificates (`--ca-bundle FILE`, `AIRLOCK_CA_BUNDLE`) for the CLI's
 * clients. `source` names where the path came from in errors. A file that cannot be read, or
 * holds no PEM certificate, is an INVALID_ARGUMENT error saying which.
 */
export function readCaBundle(path: string, source: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new AppError(
      'INVALID_ARGUMENT',
      `${source} names ${path}, which cannot be read${code ? ` (${code})` : ''}`,
      { cause, hint: 'give the path of a PEM file of CA certificates' },
    );
  }
  if (!pemBlocks(text).some((b) => b.label === 'CERTIFICATE')) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${source} names ${path}, which holds no PEM certificate`,
      {
        hint: 'the bundle is one or more "-----BEGIN CERTIFICATE-----" blocks, the CAs to trust',
      },
    );
  }
  return text;
}

/** `AIRLOCK_CA_BUNDLE` of the CLI's environment, read; undefined when unset. */
export function caBundleFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const path = env.AIRLOCK_CA_BUNDLE;
  return path ? readCaBundle(path, 'AIRLOCK_CA_BUNDLE') : undefined;
}
