import { lintProxySettings } from '../../proxy/index.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import { diagnosticJson } from '../proxy-diagnostics-output.js';

export const proxyLintCommand = leafCommand<{ json?: boolean }>(
  'lint',
  'warn where the proxy settings mean different things to different tools',
  (cmd) =>
    cmd
      .option('--json', 'print one JSON object per finding, one a line')
      .addHelpText(
        'after',
        [
          '',
          'Checks http_proxy, https_proxy, all_proxy and no_proxy of this environment: malformed',
          'values (errors), and where curl, wget, Go, Python, Java, Node, Docker and git read them',
          'differently (warnings, with the tools named and a suggested rewrite).',
          'Exit 1 when any finding is an error, else 0.',
        ].join('\n'),
      ),
  (_args, opts, ctx) => {
    const findings = lintProxySettings({ env: ctx.env });
    for (const d of findings) {
      if (opts.json) {
        ctx.output.out(diagnosticJson(d));
        continue;
      }
      ctx.output.out(`${d.severity} [${d.code}] ${d.message}`);
      if (d.tools && d.tools.length > 0) ctx.output.out(`  tools: ${d.tools.join(', ')}`);
      if (d.suggestion !== undefined) ctx.output.out(`  suggestion: ${d.suggestion}`);
    }
    if (findings.length === 0 && !opts.json) ctx.output.out('no findings');
    return findings.some((d) => d.severity === 'error') ? exitCodes.failed : exitCodes.ok;
  },
);
