import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHttpClient } from '../../net/create-http-client.js';
import { caBundleFromEnv } from '../../net/tls/read-ca-bundle.js';
import { runnerApiPrefix } from '../../protocol/runner-api.js';
import { parseProxySettings } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';

interface Opts {
  enable?: boolean;
  disable?: boolean;
  yes?: boolean;
  self?: boolean;
  workDir: string;
  server?: string;
}

export const nodesDrainCommand = leafCommand<Opts>(
  'drain',
  'enable or disable drain on a build node: it finishes what it runs and gets nothing new',
  (cmd) =>
    cmd
      .argument('[id]', 'node id or name (see `airlock nodes list`)')
      .option('--enable', 'start draining')
      .option('--disable', 'stop draining')
      .option('--yes', 'do not ask for confirmation')
      .option(
        '--self',
        'drain the runner of this host, using its identity in --work-dir (no API token needed)',
      )
      .option('--work-dir <dir>', 'the runner work dir, for --self', './airlock-runner')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([id], opts, ctx) => {
    if (opts.enable === opts.disable) {
      throw new AppError('INVALID_ARGUMENT', 'give exactly one of --enable and --disable');
    }
    const drain = opts.enable === true;
    if (opts.self) {
      if (id) throw new AppError('INVALID_ARGUMENT', 'give a node id or --self, not both');
      const identityFile = join(resolve(ctx.cwd, opts.workDir), 'runner-identity.json');
      let identity: { token: string; serverUrl: string; runnerId: string };
      try {
        identity = JSON.parse(readFileSync(identityFile, 'utf8')) as typeof identity;
      } catch {
        throw new AppError('NOT_FOUND', `no runner identity at ${identityFile}`, {
          hint: 'pass --work-dir, the runner’s --work-dir',
        });
      }
      const caBundle = caBundleFromEnv(ctx.env);
      const http = createHttpClient({
        policy: parseProxySettings({ env: ctx.env, internal: [identity.serverUrl] }).policy,
        ...(caBundle === undefined ? {} : { caBundle }),
      });
      const response = await http.request(
        `${identity.serverUrl.replace(/\/$/, '')}${runnerApiPrefix}/drain`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${identity.token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ drain }),
        },
      );
      if (response.status >= 400)
        throw new AppError(
          'UNAVAILABLE',
          `the server refused: HTTP ${response.status} ${await response.text()}`,
        );
      ctx.output.out(`node ${identity.runnerId}: drain ${drain ? 'enabled' : 'disabled'}`);
      return 0;
    }
    if (!id)
      throw new AppError(
        'INVALID_ARGUMENT',
        'give the node id or name, or --self on the runner host',
      );
    if (drain && !opts.yes) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `draining ${id} stops it from taking new jobs; add --yes to confirm`,
      );
    }
    const api = new ApiClient(ctx, { server: opts.server });
    const node = await api.request<{ id: string; name: string; drain: boolean }>(
      'POST',
      `/api/v1/nodes/${encodeURIComponent(id)}/drain`,
      { drain },
    );
    ctx.output.out(`node ${node.name} (${node.id}): drain ${node.drain ? 'enabled' : 'disabled'}`);
    return 0;
  },
);
