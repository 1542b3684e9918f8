import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from './process-registry.js';

/** A temporary folder for one service instance: config, data, logs, pid files. */
export interface ScratchDir {
  readonly path: string;
  /** Removes the folder and everything in it. Idempotent. */
  remove(): void;
}

/**
 * Creates `<os.tmpdir()>/airlock-<name>-XXXXXX`, mode 0755 so service users (postgres, proxy)
 * can reach files inside. It is removed by `remove()` and, as a safety net, when the process exits.
 */
export function createScratchDir(name: string): ScratchDir {
  const path = mkdtempSync(join(tmpdir(), `airlock-${name}-`));
  chmodSync(path, 0o755);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    unregister();
    rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  };
  const unregister = registerCleanup(remove);
  return { path, remove };
}

/** chown -R: gives a folder (and everything in it) to a service user. Only works as root. */
export function chownRecursive(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownRecursive(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}
