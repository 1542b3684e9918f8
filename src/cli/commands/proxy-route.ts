import { hasErrors, parseProxySettings, routeUrl } from '../../proxy/index.js';
import { redactUrl } from '../../shared/redact-url.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import { printProxyDiagnostics } from '../proxy-diagnostics-output.js';

export const proxyRouteCommand = leafCommand<{ json?: boolean }>(
  'route',
  'show how each URL is routed (direct or proxy) and which rule decided',
  (cmd) =>
    cmd
      .argument('<urls...>', 'absolute URLs to route, e.g. https://github.com/')
      .option('--json', 'print one JSON object per URL, one a line')
      .addHelpText(
        'after',
        [
          '',
          'Reads http_proxy, https_proxy, all_proxy and no_proxy (lowercase first, then uppercase)',
          'from this environment and decides each URL without connecting. Exit 0 when every URL',
          'was decided, 2 when a setting or a URL is malformed (the error says which).',
          '',
          'JSON: {"url", "route": "direct"|"proxy"|"invalid", "proxy": "http://host:port"|null,',
          '       "rule", "warnings": [...]}',
        ].join('\n'),
      ),
  (urls, opts, ctx) => {
    const { policy, diagnostics } = parseProxySettings({ env: ctx.env });
    printProxyDiagnostics(ctx.output, diagnostics);
    let code: number = hasErrors(diagnostics) ? exitCodes.usage : exitCodes.ok;
    for (const url of urls) {
      const shown = redactUrl(url);
      const decision = routeUrl(policy, url);
      if (decision.route === 'invalid') {
        code = exitCodes.usage;
        ctx.output.err(`airlock: ${JSON.stringify(shown)} is ${decision.error}`);
        if (opts.json) {
          ctx.output.out(
            JSON.stringify({
              url: shown,
              route: 'invalid',
              proxy: null,
              rule: null,
              warnings: [],
              error: decision.error,
            }),
          );
        }
        continue;
      }
      const proxy = decision.route === 'proxy' ? decision.proxy : null;
      if (opts.json) {
        ctx.output.out(
          JSON.stringify({
            url: shown,
            route: decision.route,
            proxy,
            rule: decision.rule,
            warnings: decision.warnings,
          }),
        );
        continue;
      }
      ctx.output.out(
        `${shown} → ${decision.route === 'proxy' ? `proxy ${proxy}` : 'direct'} (${decision.rule})`,
      );
      for (const warning of decision.warnings) ctx.output.out(`  warning: ${warning}`);
    }
    return code;
  },
);
