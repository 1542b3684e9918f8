import { existsSync } from 'node:fs';
import type { BackupMemberSink } from '../cli/backup-archive-reader.js';
import { SecretBox } from '../server/security/secret-box.js';
import { AppError } from '../shared/app-error.js';
import { loadSecretKey } from './secret-key.js';

interface Sealed {
  /** "variable NAME of project ID" */
  readonly what: string;
  readonly ciphertext: string;
  /** The additional data the services sealed it with (project-service, context-service). */
  readonly boundTo: string;
}

const maxSamples = 1000;

/**
 * The archive's encrypted values, collected while `airlock admin restore` first reads it, to
 * check that the key it was given is the one they were sealed under before anything is written.
 */
export class SealedSamples {
  readonly #sealed: Sealed[] = [];
  readonly #projects = new Map<string, string>();
  readonly #contexts = new Map<string, string>();

  get count(): number {
    return this.#sealed.length;
  }

  /** A sink for the table parts the check needs (variables, and names for messages). */
  sinkFor(table: string): BackupMemberSink | undefined {
    const add = (sealed: Sealed): void => {
      if (this.#sealed.length < maxSamples) this.#sealed.push(sealed);
    };
    switch (table) {
      case 'projects':
        return jsonLines((row) => this.#projects.set(String(row.id), String(row.name)));
      case 'contexts':
        return jsonLines((row) => this.#contexts.set(String(row.id), String(row.name)));
      case 'project_env_vars':
        return jsonLines((row) =>
          add({
            what: `variable ${String(row.name)} of project ${String(row.project_id)}`,
            ciphertext: String(row.ciphertext),
            boundTo: `${String(row.project_id)}/${String(row.name)}`,
          }),
        );
      case 'context_env_vars':
        return jsonLines((row) =>
          add({
            what: `variable ${String(row.name)} of context ${String(row.context_id)}`,
            ciphertext: String(row.ciphertext),
            boundTo: `context/${String(row.context_id)}/${String(row.name)}`,
          }),
        );
      default:
        return undefined;
    }
  }

  /**
   * Loads the key as the server would (AIRLOCK_SECRET_KEY, else the key file, which is never
   * created here) and decrypts every sample. Undefined when there is no key and nothing to
   * check; INVALID_CONFIG naming the first value that does not decrypt.
   */
  check(keyFile: string, fromEnv: string | undefined): Buffer | undefined {
    const source = fromEnv ? 'AIRLOCK_SECRET_KEY' : `the key file ${keyFile}`;
    if (!fromEnv && !existsSync(keyFile)) {
      if (this.#sealed.length === 0) return undefined;
      throw new AppError(
        'INVALID_CONFIG',
        `no secret key at ${keyFile}: the backup holds ${this.#sealed.length} encrypted variable(s), which only the key of the backed-up server decrypts`,
        {
          hint: 'copy the key kept from that server to that path, or point --secret-key-file (or AIRLOCK_SECRET_KEY) at it; nothing was restored',
        },
      );
    }
    const key = loadSecretKey(keyFile, fromEnv);
    const box = new SecretBox(key);
    for (const s of this.#sealed) {
      try {
        box.open(s.ciphertext, s.boundTo);
      } catch {
        throw new AppError(
          'INVALID_CONFIG',
          `the secret key from ${source} cannot decrypt the backup's ${this.#named(s.what)}: it is not the key the backup was taken under`,
          {
            hint: 'use the key kept from the backed-up server (--secret-key-file, AIRLOCK_SECRET_KEY, or <data-dir>/secret.key); nothing was restored',
          },
        );
      }
    }
    return key;
  }

  #named(what: string): string {
    return what
      .replace(
        /of project (\S+)$/,
        (_m, id: string) => `of project ${this.#projects.get(id) ?? id}`,
      )
      .replace(
        /of context (\S+)$/,
        (_m, id: string) => `of context ${this.#contexts.get(id) ?? id}`,
      );
  }
}

/** A sink that parses JSON lines and hands each row to `onRow`. */
function jsonLines(onRow: (row: Record<string, unknown>) => void): BackupMemberSink {
  const decoder = new TextDecoder();
  let rest = '';
  const take = (text: string): void => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const row = JSON.parse(line) as unknown;
        if (row !== null && typeof row === 'object') onRow(row as Record<string, unknown>);
      } catch {
        // The restore itself reports a malformed row, with its line number.
      }
    }
  };
  return {
    write: (chunk) => take(decoder.decode(chunk, { stream: true })),
    end: () => take(`${decoder.decode()}\n`),
  };
}
