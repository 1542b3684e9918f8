import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Relative paths (`/`-separated) of the entries under `root`, depth first, sorted per folder.
 * Folders are yielded too (with `dir: true`) unless `filesOnly`; symlinks are not followed.
 * `maxDepth` limits how deep it goes (1: only the root's own entries).
 */
export async function* walkFiles(
  root: string,
  options: { maxDepth?: number; filesOnly?: boolean } = {},
): AsyncIterable<{ path: string; dir: boolean }> {
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const visit = async function* (
    dir: string,
    prefix: string,
    depth: number,
  ): AsyncIterable<{ path: string; dir: boolean }> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!options.filesOnly) yield { path, dir: true };
        if (depth < maxDepth) yield* visit(join(dir, entry.name), path, depth + 1);
      } else if (entry.isFile() || (!options.filesOnly && entry.isSymbolicLink())) {
        yield { path, dir: false };
      }
    }
  };
  yield* visit(root, '', 1);
}
