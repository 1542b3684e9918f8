import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AppError } from '../shared/app-error.js';

/**
 * Loads the key that encrypts secrets at rest: from AIRLOCK_SECRET_KEY (base64 of 32 bytes), or
 * from the key file, which is generated with mode 0600 on first start.
 */
export function loadSecretKey(path: string, fromEnv: string | undefined): Buffer {
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) {
      throw new AppError('INVALID_CONFIG', 'AIRLOCK_SECRET_KEY must be the base64 of 32 bytes', {
        hint: 'generate one with: head -c 32 /dev/urandom | base64',
      });
    }
    return key;
  }
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new AppError(
      'INVALID_CONFIG',
      `the secret key file ${path} does not hold the base64 of 32 bytes`,
    );
  }
  return key;
}
