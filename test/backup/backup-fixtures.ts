import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { backupManifestMember } from '../../src/protocol/backup-format.js';
import type { Store } from '../../src/server/store/store.js';
import {
  TarParser,
  tarEndOfArchive,
  tarMemberHeader,
  tarPadding,
} from '../../src/shared/tar-format.js';

export interface ArchiveMember {
  name: string;
  data: Buffer;
}

/** Every member of a (small) archive file, in order. */
export function readMembers(file: string): ArchiveMember[] {
  const parser = new TarParser();
  const members: ArchiveMember[] = [];
  let parts: Uint8Array[] = [];
  let name = '';
  for (const event of parser.push(gunzipSync(readFileSync(file)))) {
    if (event.type === 'member') {
      name = event.name;
      parts = [];
    } else if (event.type === 'data') parts.push(event.chunk);
    else if (event.type === 'member-end') members.push({ name, data: Buffer.concat(parts) });
    else if (event.type === 'error') throw new Error(event.message);
  }
  return members;
}

export function writeMembers(file: string, members: readonly ArchiveMember[]): void {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    parts.push(tarMemberHeader({ name: m.name, sizeBytes: m.data.length, mtimeMs: 0 }));
    parts.push(m.data, new Uint8Array(tarPadding(m.data.length)));
  }
  parts.push(tarEndOfArchive);
  writeFileSync(file, gzipSync(Buffer.concat(parts)));
}

/**
 * Rewrites an archive: `edit` may change members (return the new data) or keep them
 * (undefined). With `reseal`, the manifest's sizes and checksums are recomputed (a consistent
 * archive with different content); without, the manifest is left as it was (tampering).
 */
export function rewriteArchive(
  from: string,
  to: string,
  edit: (member: ArchiveMember) => Buffer | undefined,
  options: { reseal: boolean; manifest?: (manifest: Record<string, unknown>) => void },
): void {
  const members = readMembers(from).map((m) => ({ name: m.name, data: edit(m) ?? m.data }));
  const manifestMember = members.find((m) => m.name === backupManifestMember);
  if (!manifestMember) throw new Error('no manifest');
  const manifest = JSON.parse(manifestMember.data.toString('utf8')) as Record<string, unknown>;
  options.manifest?.(manifest);
  if (options.reseal) {
    manifest.members = members
      .filter((m) => m.name !== backupManifestMember)
      .map((m) => ({
        name: m.name,
        sizeBytes: m.data.length,
        sha256: createHash('sha256').update(m.data).digest('hex'),
      }));
  }
  manifestMember.data = Buffer.from(JSON.stringify(manifest));
  writeMembers(to, members);
}

/** Every row of every table, sorted, as JSON lines: two stores with equal dumps hold the same. */
export async function dumpStore(store: Store): Promise<Record<string, string[]>> {
  const snapshot = await store.tables.snapshot();
  try {
    const out: Record<string, string[]> = {};
    for (const table of snapshot.tables) {
      const rows: string[] = [];
      for await (const batch of snapshot.rows(table.name, 1000))
        for (const row of batch)
          rows.push(JSON.stringify(Object.fromEntries(Object.entries(row).sort())));
      out[table.name] = rows.sort();
    }
    return out;
  } finally {
    await snapshot.close();
  }
}
