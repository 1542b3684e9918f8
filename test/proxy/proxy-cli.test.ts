import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airlock } from './cli-run.js';
import { type EchoServer, startHttpEcho } from './echo-server.js';

const env = {
  https_proxy: 'http://alice:hunter2@proxy.corp:3128',
  http_proxy: 'http://proxy.corp:3128',
  no_proxy: 'localhost,127.0.0.1,::1,[::1],corp.example,.corp.example,10.0.0.0/8',
};

describe('airlock proxy route', () => {
  it('prints one line per URL with the route and the rule', async () => {
    const r = await airlock(
      ['proxy', 'route', 'https://github.com/x', 'http://git.corp.example/', 'http://10.1.2.3/'],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toEqual([
      'https://github.com/x → proxy http://proxy.corp:3128 (https_proxy)',
      'http://git.corp.example/ → direct (no_proxy: corp.example)',
      'http://10.1.2.3/ → direct (no_proxy: 10.0.0.0/8)',
      '  warning: Java, Node, wget and curl before 7.86 ignore the CIDR "10.0.0.0/8" and would send this URL through the proxy',
    ]);
    expect(r.stderr).toEqual([]);
  });

  it('prints one JSON object per line with --json, never credentials', async () => {
    const r = await airlock(
      ['proxy', 'route', '--json', 'https://github.com/', 'https://corp.example/'],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.map((l) => JSON.parse(l))).toEqual([
      {
        url: 'https://github.com/',
        route: 'proxy',
        proxy: 'http://proxy.corp:3128',
        rule: 'https_proxy',
        warnings: [],
      },
      {
        url: 'https://corp.example/',
        route: 'direct',
        proxy: null,
        rule: 'no_proxy: corp.example',
        warnings: [],
      },
    ]);
    expect(r.stdout.join('\n')).not.toContain('hunter2');
  });

  it('exits 2 on a malformed setting, naming the variable, value (redacted) and form', async () => {
    const r = await airlock(['proxy', 'route', 'https://github.com/'], {
      HTTPS_PROXY: 'ftp://bob:hunter2@proxy.corp:21',
    });
    expect(r.code).toBe(2);
    expect(r.stderr[0]).toBe(
      'airlock: error: HTTPS_PROXY="ftp://***:***@proxy.corp:21" cannot be used: the protocol "ftp" is not a proxy protocol. The accepted form is <protocol>://<host>:<port> (protocol http, https, socks5 or socks5h), e.g. http://proxy.corp.example:3128.',
    );
    expect(r.stdout).toEqual([
      'https://github.com/ → direct (no proxy: https_proxy and all_proxy are unset)',
      '  warning: HTTPS_PROXY was rejected (malformed), so this URL goes direct',
    ]);
  });

  it('exits 2 on a malformed URL, still deciding the others', async () => {
    const r = await airlock(['proxy', 'route', 'not a url', 'https://github.com/'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([
      'airlock: "not a url" is not a valid URL (expected an absolute URL such as https://host/path)',
    ]);
    expect(r.stdout).toEqual(['https://github.com/ → proxy http://proxy.corp:3128 (https_proxy)']);
  });

  it('redacts credentials in the URLs it echoes', async () => {
    const r = await airlock(['proxy', 'route', 'https://u:pw@github.com/'], env);
    expect(r.stdout[0]).toBe(
      'https://***:***@github.com/ → proxy http://proxy.corp:3128 (https_proxy)',
    );
  });

  it('exits 0 with warnings only', async () => {
    const r = await airlock(['proxy', 'route', 'https://a.example/'], {
      https_proxy: 'p.corp:3128',
    });
    expect(r.code).toBe(0);
    expect(r.stderr[0]).toContain('airlock: warning: https_proxy="p.corp:3128" has no protocol');
  });
});

describe('airlock proxy render', () => {
  it('renders the environment for jobs, credential-free, quoted for sh', async () => {
    const r = await airlock(
      [
        'proxy',
        'render',
        '--target',
        'env',
        '--proxy-url',
        'http://127.0.0.1:3128',
        '--direct-hosts',
        'postgres',
      ],
      env,
    );
    expect(r.code).toBe(0);
    const list =
      'localhost,.localhost,127.0.0.1,::1,[::1],corp.example,.corp.example,10.0.0.0/8,postgres,.postgres';
    expect(r.stdout).toEqual([
      'http_proxy=http://127.0.0.1:3128',
      'HTTP_PROXY=http://127.0.0.1:3128',
      'https_proxy=http://127.0.0.1:3128',
      'HTTPS_PROXY=http://127.0.0.1:3128',
      `no_proxy='${list}'`,
      `NO_PROXY='${list}'`,
      'NODE_USE_ENV_PROXY=1',
    ]);
  });

  it('prints files after a "# file" line', async () => {
    const r = await airlock(
      ['proxy', 'render', '--target', 'npm', '--proxy-url', 'http://127.0.0.1:3128'],
      env,
    );
    expect(r.stdout).toEqual([
      '# file ~/.npmrc (merge into the existing file)',
      'proxy=http://127.0.0.1:3128',
      'https-proxy=http://127.0.0.1:3128',
      'noproxy=localhost,127.0.0.1,::1,[::1],corp.example,10.0.0.0/8',
    ]);
  });

  it('prints JSON with --json and warns when credentials are dropped', async () => {
    const r = await airlock(['proxy', 'render', '--target', 'jvm', '--json'], env);
    expect(r.code).toBe(0);
    const rendered = JSON.parse(r.stdout.join('\n'));
    expect(rendered.env.JAVA_TOOL_OPTIONS).toContain('-Dhttps.proxyHost=proxy.corp');
    expect(rendered.env.JAVA_TOOL_OPTIONS).toContain(
      '-Dhttp.nonProxyHosts=localhost|127.*|[::1]|corp.example|*.corp.example|10.*',
    );
    expect(r.stderr.join('\n')).toContain('needs credentials, which never enter a job');
    expect(`${r.stdout.join('')}${r.stderr.join('')}`).not.toContain('hunter2');
  });

  it('rejects an unknown target with exit 2', async () => {
    const r = await airlock(['proxy', 'render', '--target', 'emacs'], env);
    expect(r.code).toBe(2);
  });
});

describe('airlock proxy lint', () => {
  it('lists findings naming the tools, exit 0 for warnings', async () => {
    const r = await airlock(['proxy', 'lint'], {
      HTTP_PROXY: 'http://proxy.corp:3128',
      https_proxy: 'http://proxy.corp:3128',
      no_proxy: 'localhost,127.0.0.1,::1,[::1],*.corp.example',
    });
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toContain('warning [uppercase-only] HTTP_PROXY is set but http_proxy is not');
    expect(text).toContain('warning [no-proxy-star-prefix] "*.corp.example": curl, Python and npm');
    expect(text).toContain(
      '  suggestion: no_proxy=localhost,.localhost,127.0.0.1,::1,[::1],corp.example,.corp.example',
    );
  });

  it('exits 1 when a finding is an error', async () => {
    const r = await airlock(['proxy', 'lint', '--json'], { https_proxy: 'http://p:1/path' });
    expect(r.code).toBe(1);
    const findings = r.stdout.map((l) => JSON.parse(l));
    expect(findings[0]).toMatchObject({
      severity: 'error',
      code: 'invalid-proxy-url',
      variable: 'https_proxy',
    });
  });

  it('says so when there is nothing to report', async () => {
    const r = await airlock(['proxy', 'lint'], {});
    expect(r).toEqual({ code: 0, stdout: ['no findings'], stderr: [] });
  });
});

describe('airlock proxy doctor (direct)', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startHttpEcho();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reports every stage of a direct connection', async () => {
    const r = await airlock(['proxy', 'doctor', `${server.url}/health`], {
      https_proxy: 'http://proxy.corp:3128',
    });
    expect(r.code).toBe(0);
    expect(r.stdout[0]).toBe(`${server.url}/health → direct (implicit: 127.0.0.0/8)`);
    expect(r.stdout[1]).toMatch(
      /^ {2}ok {4}dns +\d+ms {2}127\.0\.0\.1 is an IP address, no lookup$/,
    );
    expect(r.stdout[2]).toMatch(
      new RegExp(`^  ok    tcp +\\d+ms  connected to 127\\.0\\.0\\.1:${server.port}$`),
    );
    expect(r.stdout[3]).toMatch(/^ {2}ok {4}http +\d+ms {2}200 OK$/);
  });

  it('exits 1 and says why when the connection fails', async () => {
    const port = server.port;
    await server.close();
    const r = await airlock(['proxy', 'doctor', '--json', `http://127.0.0.1:${port}/`]);
    server = await startHttpEcho();
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout[0] ?? '{}');
    expect(report.ok).toBe(false);
    expect(report.stages.at(-1)).toMatchObject({ name: 'tcp', ok: false });
    expect(report.stages.at(-1).detail).toContain('ECONNREFUSED');
  });

  it('exits 2 for a bad --timeout or an unreadable --ca-file', async () => {
    expect((await airlock(['proxy', 'doctor', '--timeout', 'soon', server.url])).code).toBe(2);
    const r = await airlock(['proxy', 'doctor', '--ca-file', '/nonexistent/ca.pem', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr[0]).toBe('airlock: cannot read --ca-file /nonexistent/ca.pem');
  });
});
