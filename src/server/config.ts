import { z } from 'zod';
import { ldapSettingsShape } from './auth/ldap-settings.js';

/**
 * The one settings schema of `airlock server`. Parsed once in src/cmd from flags > env
 * (`AIRLOCK_*`) > config file > these defaults, then passed explicitly. Every key is listed in
 * `airlock server --help` and docs/server.md with its unit and default.
 */
export const serverConfigSchema = z.object({
  /** Address to listen on. 127.0.0.1 by default; use 0.0.0.0 for runners on other hosts. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Folder for the SQLite database, the secret key and blobs. */
  dataDir: z.string().min(1).default('./data'),
  /** postgres://… to use PostgreSQL; unset means SQLite in the data folder. */
  databaseUrl: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      'a database URL starts with postgres:// (leave it unset for SQLite)',
    )
    .optional(),
  /** The URL users and runners reach the server at (behind a reverse proxy: its public URL). */
  publicUrl: z.string().url().optional(),
  /**
   * PEM certificate chain (server certificate first, then intermediates) and its private key: with
   * both, the server speaks HTTPS itself. Re-read on SIGHUP.
   */
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  /** Reverse proxies whose X-Forwarded-* headers are trusted: addresses or CIDRs, comma-separated. */
  trustedProxies: z.array(z.string().min(1)).default([]),
  /** File with the 32-byte key that encrypts secrets at rest; created with mode 0600 if missing. */
  secretKeyFile: z.string().optional(),
  /** Start a runner inside the server process. */
  embeddedRunner: z.boolean().default(true),
  /** Jobs the embedded runner runs at once; 0 means from CPUs and memory. */
  embeddedRunnerCapacity: z.coerce.number().int().min(0).max(256).default(0),
  /** How long a claimed job's lease lasts without a heartbeat, in ms. */
  leaseMs: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** How often runners send heartbeats, in ms (below leaseMs / 3). */
  heartbeatIntervalMs: z.coerce.number().int().min(200).max(600_000).default(10_000),
  /** Longest claim long-poll, in ms (at most 25 s, below common 60 s proxy timeouts). */
  claimMaxWaitMs: z.coerce.number().int().min(0).max(25_000).default(25_000),
  /** A runner is `down` when not seen for this long, in ms. */
  runnerDownAfterMs: z.coerce.number().int().min(1000).default(60_000),
  /** Per-token request budget: burst size and sustained requests per second. */
  rateLimitBurst: z.coerce.number().int().min(1).default(600),
  rateLimitPerSecond: z.coerce.number().min(0.01).default(200),
  /**
   * Bearer token that may read `GET /metrics` (admins' API tokens may too); unset: only admins.
   * At least 16 characters.
   */
  metricsToken: z.string().min(16, 'a metrics token has at least 16 characters').optional(),
  /** Folder of vendored orbs (`<namespace>/<name>@<version>.yml`) for every project. */
  orbsDir: z.string().min(1).optional(),
  /** Register this folder as a demo project at start (used by `npm start`). */
  demoProjectPath: z.string().optional(),
  /** pino log level. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a session cookie lives, in ms. */
  sessionTtlMs: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(7 * 24 * 3_600_000),
  /**
   * Where caches, workspaces and artifacts live: unset for `<dataDir>/blobs`, a folder path, or
   * `s3://bucket[/prefix]?endpoint=https://host:port&region=…&path-style=true`.
   */
  blobUrl: z.string().min(1).optional(),
  /** S3 credentials; default AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. */
  blobAccessKeyId: z.string().min(1).optional(),
  blobSecretAccessKey: z.string().min(1).optional(),
  /** Send blob-store traffic through the proxy (it is an internal endpoint, direct by default). */
  blobViaProxy: z.boolean().default(false),
  /** Runners download S3 blobs with presigned URLs instead of through the server. */
  blobPresignedDownloads: z.boolean().default(false),
  /** Days a saved cache lives (a job's `retention.caches` can shorten it). */
  cacheRetentionDays: z.coerce.number().positive().max(3650).default(15),
  /** Days a workflow run's workspace layers live. */
  workspaceRetentionDays: z.coerce.number().positive().max(3650).default(15),
  /** Days artifacts live. */
  artifactRetentionDays: z.coerce.number().positive().max(3650).default(30),
  /** How often expired blobs are removed, in ms; 0 for only `airlock admin gc`. */
  blobGcIntervalMs: z.coerce.number().int().min(0).default(3_600_000),
  /** Days audit events are kept; 0 keeps them forever. */
  auditRetentionDays: z.coerce.number().min(0).max(36_500).default(365),
  /** How often audit events older than the retention are deleted, in ms; 0 never. */
  auditPruneIntervalMs: z.coerce.number().int().min(0).default(3_600_000),
  /** LDAP / Active Directory sign-in (`ldap*`, see src/server/auth/ldap-settings.ts). */
  ...ldapSettingsShape,
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;
