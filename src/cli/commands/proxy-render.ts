import { Option } from 'commander';
import {
  type RenderTarget,
  hasErrors,
  parseProxySettings,
  renderForJob,
  renderTargets,
} from '../../proxy/index.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import { printProxyDiagnostics } from '../proxy-diagnostics-output.js';

interface RenderOpts {
  readonly target: RenderTarget;
  readonly json?: boolean;
  readonly proxyUrl?: string;
  readonly directHosts?: string;
  readonly containerProxyHost?: string;
  readonly allProxy?: boolean;
}

/** Quotes a value for sh (and systemd EnvironmentFile) when it needs it. */
function shellValue(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

export const proxyRenderCommand = leafCommand<RenderOpts>(
  'render',
  'render the proxy settings the tools in a job need',
  (cmd) =>
    cmd
      .addOption(
        new Option('--target <tool>', 'which tool to configure')
          .choices([...renderTargets])
          .makeOptionMandatory(),
      )
      .option('--json', 'print {target, env, files, diagnostics} as JSON')
      .option(
        '--proxy-url <url>',
        "the credential-free proxy URL jobs use (the runner's local forward proxy, e.g. http://127.0.0.1:3128); default: this environment's proxies without credentials",
      )
      .option(
        '--direct-hosts <hosts>',
        'more hosts jobs reach directly, comma-separated (service containers, the API host)',
      )
      .option(
        '--container-proxy-host <host>',
        'docker: the host containers use to reach the proxy (bridge gateway, host.docker.internal)',
      )
      .option('--all-proxy', 'also set ALL_PROXY (off by default)')
      .addHelpText(
        'after',
        [
          '',
          'Prints environment variables (KEY=value, quoted for sh where needed) and files, each after',
          'a "# file <path>" line. Nothing is written. Credentials are never printed. Exit 2 when a',
          'setting is malformed.',
        ].join('\n'),
      ),
  (_args, opts, ctx) => {
    const { policy, diagnostics } = parseProxySettings({ env: ctx.env });
    const rendered = renderForJob(policy, opts.target, {
      ...(opts.proxyUrl === undefined ? {} : { jobProxyUrl: opts.proxyUrl }),
      ...(opts.directHosts === undefined ? {} : { noProxy: [opts.directHosts] }),
      ...(opts.containerProxyHost === undefined
        ? {}
        : { containerProxyHost: opts.containerProxyHost }),
      ...(opts.allProxy ? { includeAllProxy: true } : {}),
    });
    const all = [...diagnostics, ...rendered.diagnostics];
    printProxyDiagnostics(ctx.output, all);
    if (opts.json) {
      ctx.output.out(JSON.stringify(rendered, null, 2));
    } else {
      for (const [name, value] of Object.entries(rendered.env)) {
        ctx.output.out(`${name}=${shellValue(value)}`);
      }
      for (const file of rendered.files) {
        ctx.output.out(`# file ${file.path}${file.merge ? ' (merge into the existing file)' : ''}`);
        for (const line of file.content.replace(/\n$/, '').split('\n')) ctx.output.out(line);
      }
    }
    return hasErrors(all) ? exitCodes.usage : exitCodes.ok;
  },
);
