import { Writable } from 'node:stream';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { createScratchDir } from '../services/scratch-dir.js';

/** A pino destination that drops every line. */
export const silent = new Writable({ write: (_c, _e, cb) => cb() });

/**
 * A real server over HTTP on 127.0.0.1 (a free port) with a fresh SQLite store in a scratch
 * folder named after `name`: no embedded runner, no schedule triggers, silent unless `log` is
 * given (then at level info, unless `config` says otherwise).
 */
export async function startTestServer(
  name: string,
  options: { config?: Record<string, unknown>; log?: Writable } = {},
): Promise<{ server: RunningServer; dataDir: string }> {
  const dataDir = createScratchDir(name).path;
  const server = await startServer({
    config: serverConfigSchema.parse({
      dataDir,
      port: 0,
      logLevel: options.log ? 'info' : 'silent',
      embeddedRunner: false,
      ...options.config,
    }),
    env: { PATH: process.env.PATH },
    version: 'test',
    logDestination: options.log ?? silent,
    scheduleTriggers: false,
  });
  return { server, dataDir };
}
