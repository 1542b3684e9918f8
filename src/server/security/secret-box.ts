import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../../shared/app-error.js';

const version = 'v1';

/**
 * Encrypts secrets at rest with AES-256-GCM under the operator's 32-byte key. The output is
 * `v1:<iv>:<tag>:<ciphertext>` in base64url; the variable's name is bound as additional data, so
 * a ciphertext moved to another variable does not decrypt.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) {
      throw new AppError('INVALID_CONFIG', `the secret key must be 32 bytes, got ${key.length}`, {
        hint: 'generate one with: head -c 32 /dev/urandom | base64',
      });
    }
    this.#key = key;
  }

  seal(plaintext: string, associated: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      version,
      iv.toString('base64url'),
      tag.toString('base64url'),
      ciphertext.toString('base64url'),
    ].join(':');
  }

  open(sealed: string, associated: string): string {
    const [v, iv, tag, ciphertext] = sealed.split(':');
    if (v !== version || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new AppError('INTERNAL', 'a stored secret has an unknown format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(associated, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (cause) {
      throw new AppError(
        'INTERNAL',
        'a stored secret does not decrypt: the secret key is not the one it was sealed with',
        {
          cause,
          hint: 'start the server with the key the data was written under (--secret-key-file)',
        },
      );
    }
  }
}
