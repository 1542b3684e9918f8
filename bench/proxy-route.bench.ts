import { parseProxySettings, routeUrl } from '../src/proxy/index.js';
import type { Benchmark } from './benchmark.js';

/** 50 NO_PROXY entries: 20 domains (all three spellings), 15 IPs (v4 and v6), 15 CIDRs. */
function noProxyList(): string {
  const entries: string[] = [];
  for (let i = 0; i < 20; i++) {
    const forms = [`svc${i}.corp.example`, `.team${i}.internal`, `*.app${i}.example.net`];
    entries.push(forms[i % 3] ?? '');
  }
  for (let i = 0; i < 12; i++) entries.push(`192.168.${i}.7`);
  entries.push('2001:db8::7', '[2001:db8::8]', 'fd00::1');
  for (let i = 0; i < 12; i++) entries.push(`10.${i}.0.0/16`);
  entries.push('172.16.0.0/12', 'fd00::/8', '100.64.0.0/10');
  return entries.join(',');
}

/** Request URLs: hits early, late and in the middle of the list, and misses of every kind. */
const urls = [
  'https://github.com/org/repo.git/info/refs?service=git-upload-pack',
  'https://api.svc7.corp.example/v1/builds',
  'https://registry.npmjs.org/@types%2fnode',
  'http://x.team4.internal:8080/health',
  'https://a.b.app5.example.net/',
  'https://10.3.4.5/artifact',
  'http://192.168.11.7/',
  'https://[2001:db8::8]/',
  'https://[fd12::9]:8443/',
  'https://203.0.113.9/',
  'https://repo1.maven.org/maven2/org/',
  'http://169.254.169.254/latest/meta-data/',
  'http://localhost:8080/',
  'https://172.20.1.1/',
  'https://pypi.org/simple/requests/',
  'https://svc19.corp.example.evil.com/',
];

export const benchmark: Benchmark = {
  name: 'Proxy route decisions',
  what: 'Decides routes (`routeUrl`) for URL strings against a policy with http/https proxies and a 50-entry NO_PROXY list mixing domains (`d`, `.d`, `*.d`), IPv4/IPv6 addresses and CIDRs, plus internal endpoints; 16 URLs that hit and miss in every way, including WHATWG URL parsing. Reports decisions per second of CPU time (one core; the machine is shared, so wall-clock throughput is shown separately).',
  async run() {
    const { policy, diagnostics } = parseProxySettings({
      env: {
        http_proxy: 'http://proxy.corp.example:3128',
        https_proxy: 'http://ci:secret@proxy.corp.example:3128',
        no_proxy: noProxyList(),
      },
      internal: ['https://ci.corp.example/', '169.254.169.254'],
    });
    if (diagnostics.some((d) => d.severity === 'error')) {
      throw new Error(`benchmark settings are invalid: ${diagnostics[0]?.message}`);
    }
    const entries = policy.noProxy.size;
    const n = 500_000;
    let sink = 0;
    for (let i = 0; i < 200_000; i++)
      sink += routeUrl(policy, urls[i % urls.length] ?? '').rule?.length ?? 0;
    // CPU time of this process (user + system, all its threads) is what "on one core" means on a
    // shared machine; wall-clock throughput is reported too, and depends on the other load.
    const measure = (route: (i: number) => number) => {
      const wall = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      for (let i = 0; i < n; i++) sink += route(i);
      const used = process.cpuUsage(cpu);
      return {
        perCpuSecond: n / ((used.user + used.system) / 1e6),
        perWallSecond: n / (Number(process.hrtime.bigint() - wall) / 1e9),
      };
    };
    const strings = { cpu: [] as number[], wall: [] as number[] };
    const objects = { cpu: [] as number[], wall: [] as number[] };
    const parsed = urls.map((u) => new URL(u));
    for (let rep = 0; rep < 9; rep++) {
      const a = measure((i) => routeUrl(policy, urls[i % urls.length] ?? '').rule?.length ?? 0);
      strings.cpu.push(a.perCpuSecond);
      strings.wall.push(a.perWallSecond);
      const b = measure(
        (i) =>
          routeUrl(policy, parsed[i % parsed.length] ?? new URL('http://x/')).rule?.length ?? 0,
      );
      objects.cpu.push(b.perCpuSecond);
      objects.wall.push(b.perWallSecond);
    }
    if (sink === 0) throw new Error('no decisions were made');
    const note = `${entries} NO_PROXY entries, ${urls.length} URLs, ${n.toLocaleString('en-US')} decisions per sample`;
    return {
      'decisions per CPU-second, URL strings': {
        unit: 'decisions/s',
        samples: strings.cpu,
        better: 'higher',
        target: 1_000_000,
        notes: [note, 'per second of CPU time used by the process: one core, whatever else runs'],
      },
      'decisions per wall-clock second, URL strings': {
        unit: 'decisions/s',
        samples: strings.wall,
        better: 'higher',
        notes: ['wall-clock: lower when other processes share the two cores'],
      },
      'decisions per CPU-second, URL objects (no parsing)': {
        unit: 'decisions/s',
        samples: objects.cpu,
        better: 'higher',
      },
    };
  },
};
