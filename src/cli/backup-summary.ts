import type { BackupManifest } from '../protocol/backup-format.js';

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** What the archive holds, for people: when, from what, rows per table, blobs. */
export function describeBackup(manifest: BackupManifest): string[] {
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  const withRows = manifest.tables.filter((t) => t.rows > 0);
  const last = manifest.migrations[manifest.migrations.length - 1] ?? 'none';
  return [
    `  taken ${manifest.createdAt} by Airlock ${manifest.airlockVersion} from ${manifest.storeKind} (schema ${last})`,
    `  ${rows} row(s) in ${manifest.tables.length} table(s)${withRows.length > 0 ? `: ${withRows.map((t) => `${t.name} ${t.rows}`).join(', ')}` : ''}`,
    `  blobs: ${describeBlobs(manifest)}`,
  ];
}

export function describeBlobs(manifest: BackupManifest): string {
  switch (manifest.blobMode) {
    case 'included':
      return `${manifest.blobs.count} file(s), ${formatBytes(manifest.blobs.bytes)}${manifest.blobs.skipped.length > 0 ? ` (${manifest.blobs.skipped.length} expired while copied, left out)` : ''}`;
    case 'not-requested':
      return 'not included (add --blobs to copy the blob folder too)';
    case 'object-storage':
      return 'not copied: they are in S3-compatible object storage, which keeps its own redundant copies (use the bucket’s versioning or replication to protect them)';
  }
}

/** Said with every backup and restore: the key is the one thing the archive cannot carry. */
export const secretKeyWarning = [
  'IMPORTANT: the secret key is NOT in the backup. Project and context variables are stored',
  'encrypted with the server’s key (<data-dir>/secret.key, --secret-key-file or AIRLOCK_SECRET_KEY).',
  'Keep a copy of that key somewhere safe and apart from the backups: without it a restored server',
  'cannot decrypt them.',
];
