import { describe, expect, it } from 'vitest';
import {
  type BackupHeader,
  type BackupManifest,
  backupSchemaProblem,
  checkAgainstManifest,
  classifyBackupMember,
  parseBackupHeader,
  parseBackupManifest,
  tablePartName,
} from './backup-format.js';

const header: BackupHeader = {
  format: 'airlock-backup',
  formatVersion: 1,
  airlockVersion: '1.2.3',
  createdAt: '2024-05-06T07:08:09.000Z',
  storeKind: 'sqlite',
  migrations: ['0001-initial', '0002-storage'],
  blobMode: 'included',
  blobStore: 'folder',
};
const sha = (c: string) => c.repeat(64);
const manifest: BackupManifest = {
  ...header,
  tables: [
    {
      name: 'projects',
      columns: ['id', 'name'],
      rows: 3,
      parts: ['tables/projects/000001.jsonl', 'tables/projects/000002.jsonl'],
    },
    { name: 'jobs', columns: ['id'], rows: 0, parts: [] },
  ],
  blobs: { count: 1, bytes: 5, skipped: [] },
  members: [
    { name: 'airlock-backup.json', sizeBytes: 10, sha256: sha('a') },
    { name: 'tables/projects/000001.jsonl', sizeBytes: 20, sha256: sha('b') },
    { name: 'tables/projects/000002.jsonl', sizeBytes: 7, sha256: sha('c') },
    { name: 'blobs/caches/p/k', sizeBytes: 5, sha256: sha('d') },
  ],
};
const seen = manifest.members.map((m) => ({
  ...m,
  ...(m.name === 'tables/projects/000001.jsonl' ? { lines: 2 } : {}),
  ...(m.name === 'tables/projects/000002.jsonl' ? { lines: 1 } : {}),
}));

describe('backup format', () => {
  it('names table parts and tells members apart', () => {
    expect(tablePartName('log_chunks', 12)).toBe('tables/log_chunks/000012.jsonl');
    expect(classifyBackupMember('airlock-backup.json')).toEqual({ kind: 'header' });
    expect(classifyBackupMember('manifest.json')).toEqual({ kind: 'manifest' });
    expect(classifyBackupMember('tables/log_chunks/000012.jsonl')).toEqual({
      kind: 'table',
      table: 'log_chunks',
    });
    expect(classifyBackupMember('blobs/artifacts/j/a.txt')).toEqual({
      kind: 'blob',
      key: 'artifacts/j/a.txt',
    });
    expect(classifyBackupMember('tables/Bad-Name/000001.jsonl')).toEqual({ kind: 'unknown' });
    expect(classifyBackupMember('etc/passwd')).toEqual({ kind: 'unknown' });
  });

  it.each([
    ['not JSON', '{', 'airlock-backup.json does not describe an Airlock backup'],
    [
      'another format',
      '{"format":"tarball"}',
      'airlock-backup.json does not describe an Airlock backup',
    ],
    [
      'a newer format',
      JSON.stringify({ ...header, formatVersion: 3 }),
      'it is in backup format 3, written by a newer Airlock; this Airlock reads format 1',
    ],
    [
      'a version that is not a number',
      JSON.stringify({ ...header, formatVersion: 'one' }),
      'its backup format "one" is not one this Airlock reads (1)',
    ],
    [
      'a missing field',
      JSON.stringify({ ...header, storeKind: 'mysql' }),
      "airlock-backup.json is malformed: storeKind: Invalid enum value. Expected 'sqlite' | 'postgres', received 'mysql'",
    ],
  ])('reads the header, refusing %s', (_what, text, message) => {
    expect(parseBackupHeader(text)).toEqual({ ok: false, error: message });
  });

  it('reads a good header and manifest', () => {
    expect(parseBackupHeader(JSON.stringify(header))).toEqual({ ok: true, value: header });
    expect(parseBackupManifest(JSON.stringify(manifest))).toEqual({ ok: true, value: manifest });
    expect(parseBackupManifest('{}').ok).toBe(false);
  });

  it('accepts a backup at this schema or an older one, refuses a newer or a different one', () => {
    const known = ['0001-initial', '0002-storage', '0003-contexts'];
    expect(backupSchemaProblem(header, known)).toBeUndefined();
    expect(backupSchemaProblem({ ...header, migrations: [] }, known)).toBeUndefined();
    expect(backupSchemaProblem({ ...header, migrations: [...known, '0004-audit'] }, known)).toBe(
      "the backup's database schema is newer than this Airlock knows: it was taken by Airlock 1.2.3 after the migration(s) 0004-audit, which this Airlock does not have",
    );
    expect(backupSchemaProblem({ ...header, migrations: ['0002-storage'] }, known)).toMatch(
      /are not the first 1 of this Airlock's/,
    );
  });

  it('finds nothing wrong with an intact archive', () => {
    expect(checkAgainstManifest(manifest, header, seen)).toEqual([]);
  });

  it.each([
    [
      'a changed member',
      seen.map((s) => (s.name === 'blobs/caches/p/k' ? { ...s, sha256: sha('e') } : s)),
      ['member blobs/caches/p/k does not match its SHA-256 in manifest.json'],
    ],
    [
      'a shorter member',
      seen.map((s) => (s.name === 'blobs/caches/p/k' ? { ...s, sizeBytes: 4 } : s)),
      ['member blobs/caches/p/k is 4 bytes, not the 5 listed'],
    ],
    [
      'a missing member',
      seen.slice(0, 3),
      ['member blobs/caches/p/k listed in manifest.json is missing'],
    ],
    [
      'an extra member',
      [...seen, { name: 'blobs/x', sizeBytes: 1, sha256: sha('f') }],
      ['member blobs/x is not listed in manifest.json'],
    ],
    [
      'members out of order',
      [seen[0], seen[2], seen[1], seen[3]],
      ['the members are not in the order manifest.json lists'],
    ],
    [
      'a lost row',
      seen.map((s) => (s.name === 'tables/projects/000002.jsonl' ? { ...s, lines: 0 } : s)),
      ['table projects has 2 row(s), not the 3 listed'],
    ],
  ])('finds %s', (_what, observed, problems) => {
    expect(checkAgainstManifest(manifest, header, observed as typeof seen)).toEqual(problems);
  });

  it('finds a header that disagrees with the manifest', () => {
    expect(checkAgainstManifest(manifest, { ...header, storeKind: 'postgres' }, seen)).toEqual([
      'manifest.json and airlock-backup.json disagree on storeKind',
    ]);
  });
});
