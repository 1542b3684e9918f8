import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Reads the operator's folder of vendored orbs (`<namespace>/<name>@<version>.yml`), for every
 * project: air-gapped networks reach no orb registry, so orbs are vendored here or in the
 * repository (`.circleci/orbs/`, which wins). Missing folder: no orbs.
 */
export async function readOrbFolder(dir: string | undefined): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (!dir) return files;
  let namespaces: string[];
  try {
    namespaces = await readdir(dir);
  } catch {
    return files;
  }
  for (const namespace of namespaces) {
    let names: string[];
    try {
      names = await readdir(join(dir, namespace));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/@.+\.ya?ml$/.test(name)) continue;
      const path = join(dir, namespace, name);
      files.set(path, await readFile(path, 'utf8'));
    }
  }
  return files;
}
