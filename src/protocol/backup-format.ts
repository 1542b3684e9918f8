/**
 * The Airlock backup archive, written by `GET /api/v1/admin/backup` (`airlock admin backup`) and
 * read by `airlock admin restore`. It is a gzip-compressed POSIX tar file whose members are, in
 * this order:
 *
 * 1. `airlock-backup.json`: the BackupHeader (format version, Airlock version, schema
 *    migrations, store kind, time, whether blobs are in it). First, so a reader can refuse an
 *    archive it cannot restore before reading the rest.
 * 2. `tables/<table>/<nnnnnn>.jsonl`: the rows of every table, one JSON object per line whose
 *    keys are the SQL column names, each table split into parts of a few MiB. Tables come
 *    parents first (foreign keys), so rows can be inserted in archive order. Values are JSON
 *    strings, numbers and nulls, the same whatever the database: a backup of SQLite restores
 *    into PostgreSQL and the other way round. Encrypted values stay encrypted.
 * 3. `blobs/<key>`: the blob store's files (caches, workspace layers, artifacts), when asked
 *    for and the store is a folder. Blobs in S3 are not copied.
 * 4. `manifest.json`: the BackupManifest: the header again, every table (columns, rows, parts),
 *    the blobs, and the size and SHA-256 of every member before it. Last, because the checksums
 *    are known only once the rest has been streamed.
 *
 * The secret key that encrypted the variables is never in the archive.
 */
import { z } from 'zod';
import { type Result, err, ok } from '../shared/result.js';

export const backupFormat = 'airlock-backup';
/** Bump when a reader of the previous version could not restore the new archives. */
export const backupFormatVersion = 1;
export const backupHeaderMember = 'airlock-backup.json';
export const backupManifestMember = 'manifest.json';
/** Response header of the backup endpoint: the blob mode, before the body streams. */
export const backupBlobModeHeader = 'x-airlock-backup-blobs';

/**
 * - `included`: the folder blob store's files are in the archive;
 * - `not-requested`: the backup was taken without blobs;
 * - `object-storage`: blobs live in S3-compatible storage, which is redundant on its own and is
 *   not copied.
 */
export const backupBlobModes = ['included', 'not-requested', 'object-storage'] as const;
export type BackupBlobMode = (typeof backupBlobModes)[number];

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256');
const count = z.number().int().min(0);

export const backupHeaderSchema = z.object({
  format: z.literal(backupFormat),
  formatVersion: z.number().int().min(1),
  airlockVersion: z.string(),
  /** ISO 8601, UTC: when the database snapshot was taken. */
  createdAt: z.string(),
  storeKind: z.enum(['sqlite', 'postgres']),
  /** Names of the schema migrations applied to the backed-up database, in order. */
  migrations: z.array(z.string()),
  blobMode: z.enum(backupBlobModes),
  /** `folder` or `s3`. */
  blobStore: z.enum(['folder', 's3']),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

export const backupTableSchema = z.object({
  name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
  columns: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)),
  rows: count,
  /** Member names of its parts, in order. */
  parts: z.array(z.string()),
});
export type BackupTable = z.infer<typeof backupTableSchema>;

export const backupMemberSchema = z.object({
  name: z.string(),
  sizeBytes: count,
  sha256,
});
export type BackupMember = z.infer<typeof backupMemberSchema>;

export const backupManifestSchema = backupHeaderSchema.extend({
  tables: z.array(backupTableSchema),
  blobs: z.object({
    count,
    bytes: count,
    /** Keys of blobs deleted (expired) between the listing and the copy. */
    skipped: z.array(z.string()),
  }),
  /** Every member before the manifest, in archive order. */
  members: z.array(backupMemberSchema),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

/** `tables/<table>/000001.jsonl`: part `index` (from 1) of a table. */
export function tablePartName(table: string, index: number): string {
  return `tables/${table}/${String(index).padStart(6, '0')}.jsonl`;
}

export function blobMemberName(key: string): string {
  return `blobs/${key}`;
}

export type BackupMemberKind =
  | { readonly kind: 'header' }
  | { readonly kind: 'manifest' }
  | { readonly kind: 'table'; readonly table: string }
  | { readonly kind: 'blob'; readonly key: string }
  | { readonly kind: 'unknown' };

export function classifyBackupMember(name: string): BackupMemberKind {
  if (name === backupHeaderMember) return { kind: 'header' };
  if (name === backupManifestMember) return { kind: 'manifest' };
  const table = /^tables\/([a-z_][a-z0-9_]*)\/\d{6}\.jsonl$/.exec(name);
  if (table) return { kind: 'table', table: table[1] as string };
  if (name.startsWith('blobs/') && name.length > 'blobs/'.length)
    return { kind: 'blob', key: name.slice('blobs/'.length) };
  return { kind: 'unknown' };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
    .join('; ');
}

/** Reads `airlock-backup.json`: the error says whether it is not a backup or a newer format. */
export function parseBackupHeader(text: string): Result<BackupHeader, string> {
  const data = parseJson(text) as { format?: unknown; formatVersion?: unknown } | undefined;
  if (
    data === undefined ||
    data === null ||
    typeof data !== 'object' ||
    data.format !== backupFormat
  )
    return err(`${backupHeaderMember} does not describe an Airlock backup`);
  const version = data.formatVersion;
  if (typeof version === 'number' && version > backupFormatVersion)
    return err(
      `it is in backup format ${version}, written by a newer Airlock; this Airlock reads format ${backupFormatVersion}`,
    );
  if (version !== backupFormatVersion)
    return err(
      `its backup format ${JSON.stringify(version)} is not one this Airlock reads (${backupFormatVersion})`,
    );
  const parsed = backupHeaderSchema.safeParse(data);
  if (!parsed.success)
    return err(`${backupHeaderMember} is malformed: ${describeIssues(parsed.error)}`);
  return ok(parsed.data);
}

export function parseBackupManifest(text: string): Result<BackupManifest, string> {
  const parsed = backupManifestSchema.safeParse(parseJson(text));
  if (!parsed.success)
    return err(`${backupManifestMember} is malformed: ${describeIssues(parsed.error)}`);
  return ok(parsed.data);
}

/**
 * Whether this program can restore a database at the backup's schema: every migration the
 * backup applied must be one this program knows, in the same order (an older backup is fine:
 * what it lacks takes its defaults). Undefined when it can; else what is wrong.
 */
export function backupSchemaProblem(
  header: Pick<BackupHeader, 'migrations' | 'airlockVersion'>,
  known: readonly string[],
): string | undefined {
  const unknown = header.migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0)
    return `the backup's database schema is newer than this Airlock knows: it was taken by Airlock ${header.airlockVersion} after the migration(s) ${unknown.join(', ')}, which this Airlock does not have`;
  const prefix = known.slice(0, header.migrations.length);
  if (prefix.some((m, i) => m !== header.migrations[i]))
    return `the backup's schema migrations (${header.migrations.join(', ')}) are not the first ${header.migrations.length} of this Airlock's (${known.join(', ')})`;
  return undefined;
}

/** What a reader saw of one member. */
export interface SeenMember {
  readonly name: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Newline count, for table parts. */
  readonly lines?: number;
}

const headerKeys = Object.keys(backupHeaderSchema.shape) as (keyof BackupHeader)[];

/**
 * Compares what was read with the manifest: the header agrees with it, the same members in the
 * same order, each with its size and SHA-256, and each table's rows. Returns the problems (at
 * most a few), none when the archive is intact.
 */
export function checkAgainstManifest(
  manifest: BackupManifest,
  header: BackupHeader,
  seen: readonly SeenMember[],
): string[] {
  const problems: string[] = [];
  for (const key of headerKeys) {
    if (JSON.stringify(manifest[key]) !== JSON.stringify(header[key]))
      problems.push(`${backupManifestMember} and ${backupHeaderMember} disagree on ${key}`);
  }
  const expected = new Map(manifest.members.map((m) => [m.name, m]));
  const seenNames = new Set(seen.map((s) => s.name));
  for (const s of seen) {
    const m = expected.get(s.name);
    if (!m) problems.push(`member ${s.name} is not listed in ${backupManifestMember}`);
    else if (m.sizeBytes !== s.sizeBytes)
      problems.push(`member ${s.name} is ${s.sizeBytes} bytes, not the ${m.sizeBytes} listed`);
    else if (m.sha256 !== s.sha256)
      problems.push(`member ${s.name} does not match its SHA-256 in ${backupManifestMember}`);
  }
  for (const m of manifest.members)
    if (!seenNames.has(m.name))
      problems.push(`member ${m.name} listed in ${backupManifestMember} is missing`);
  if (problems.length === 0) {
    const order = seen.map((s) => s.name).join('\n');
    if (order !== manifest.members.map((m) => m.name).join('\n'))
      problems.push(`the members are not in the order ${backupManifestMember} lists`);
    const lines = new Map(seen.map((s) => [s.name, s.lines ?? 0]));
    for (const table of manifest.tables) {
      const rows = table.parts.reduce((n, part) => n + (lines.get(part) ?? 0), 0);
      if (rows !== table.rows)
        problems.push(`table ${table.name} has ${rows} row(s), not the ${table.rows} listed`);
    }
  }
  return problems.slice(0, 5);
}
