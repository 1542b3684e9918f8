import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  ensureDebianPackages,
  findPostgresBinDir,
  postgresRequirement,
} from './ensure-debian-packages.js';
import { withFreePort } from './free-port.js';
import { type ManagedProcess, startManagedProcess } from './managed-process.js';
import { chownRecursive, createScratchDir } from './scratch-dir.js';
import { lookupSystemUser, runningAsRoot } from './system-user.js';
import { waitUntilReady } from './wait-until-ready.js';

const execFileAsync = promisify(execFile);

/** A running throwaway PostgreSQL server (trust auth, loopback only, fsync off). */
export interface PostgresService {
  /** `postgres://postgres@127.0.0.1:PORT/DATABASE` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** Creates another empty database and returns its URL. Names: lowercase letters, digits, `_`. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown, then removes the data folder. Idempotent. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Database created at start, the one `url` points at. Default `airlock`. */
  readonly database?: string;
}

const databaseNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Starts a new PostgreSQL cluster in a scratch folder: initdb (as user postgres when running as
 * root, since PostgreSQL refuses root), then `postgres` on a free 127.0.0.1 port, ready when a
 * real query answers.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresService> {
  const database = options.database ?? 'airlock';
  assertDatabaseName(database);
  await ensureDebianPackages([postgresRequirement]);
  const bin = findPostgresBinDir();
  if (bin === undefined) throw new Error('postgres: no /usr/lib/postgresql/<version>/bin found');

  const scratch = createScratchDir('postgres');
  const owner = runningAsRoot() ? lookupSystemUser('postgres') : undefined;
  const dataDir = join(scratch.path, 'data');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch.path, LC_ALL: 'C' };
  let server: ManagedProcess | undefined;
  try {
    if (owner !== undefined) chownRecursive(scratch.path, owner.uid, owner.gid);
    await execFileAsync(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { env, cwd: scratch.path, ...(owner ?? {}), timeout: 120_000 },
    ).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`postgres: initdb failed: ${err.message}\n${err.stderr ?? ''}`);
    });

    const port = await withFreePort(async (candidate) => {
      server = await startManagedProcess({
        name: 'postgres',
        command: join(bin, 'postgres'),
        args: [
          '-D',
          dataDir,
          '-p',
          String(candidate),
          '-k',
          scratch.path,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
        ],
        cwd: scratch.path,
        env,
        logPath: join(scratch.path, 'postgres.log'),
        ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }),
        stopSignal: 'SIGINT',
      });
      const started = server;
      try {
        await waitUntilReady({
          process: started,
          port: candidate,
          probe: () => query(candidate, 'postgres', 'select 1'),
        });
      } catch (err) {
        await started.stop();
        throw err;
      }
      return candidate;
    });

    await query(port, 'postgres', `create database "${database}"`);
    const urlFor = (name: string): string => `postgres://postgres@127.0.0.1:${port}/${name}`;
    const running = server;
    return {
      url: urlFor(database),
      host: '127.0.0.1',
      port,
      database,
      user: 'postgres',
      async createDatabase(name: string): Promise<string> {
        assertDatabaseName(name);
        await query(port, 'postgres', `create database "${name}"`);
        return urlFor(name);
      },
      async stop(): Promise<void> {
        await running?.stop();
        scratch.remove();
      },
    };
  } catch (err) {
    await server?.stop();
    scratch.remove();
    throw err;
  }
}

function assertDatabaseName(name: string): void {
  if (!databaseNamePattern.test(name)) {
    throw new Error(
      `postgres: database name ${JSON.stringify(name)} is not allowed: use lowercase letters, digits and _`,
    );
  }
}

async function query(port: number, database: string, sql: string): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database,
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
