import { describe, expect, it } from 'vitest';
import { type ParsedRequestUrl, parseRequestUrl } from './parse-request-url.js';

/** The slow path: a URL object always takes the WHATWG parser. */
function viaWhatwg(url: string): ParsedRequestUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: 'WHATWG rejects it' };
  }
  return parseRequestUrl(parsed);
}

function same(url: string): void {
  const fast = parseRequestUrl(url);
  const slow = viaWhatwg(url);
  expect(fast.ok, url).toBe(slow.ok);
  if (fast.ok && slow.ok) expect(fast.target, url).toEqual(slow.target);
}

describe('parseRequestUrl', () => {
  it.each([
    'https://github.com/org/repo',
    'http://example.com',
    'http://example.com:8080/x?y#z',
    'https://example.com:443/',
    'http://example.com:080/',
    'http://example.com:/',
    'http://example.com:65536/',
    'http://example.com:99999999/',
    'ws://socket.example/path',
    'wss://socket.example:8443',
    'http://EXAMPLE.com/',
    'http://example.com./',
    'http://a..b/',
    'http://-a-.example/',
    'http://under_score.example/',
    'http://10.0.0.1/',
    'http://10.0.0.1:8080/',
    'http://010.0.0.1/',
    'http://10.1/',
    'http://0x7f.1/',
    'http://0x7f000001/',
    'http://4294967295/',
    'http://4294967296/',
    'http://1.2.3.4.5/',
    'http://host.123/',
    'http://host.123./',
    'http://host.0x1/',
    'http://host.0xg/',
    'http://1.2.3.a/',
    'http://xn--bcher-kva.de/',
    'http://xn--invalid-.de/',
    'http://bücher.de/',
    'http://user:pw@example.com/',
    'http://@example.com/',
    'http://exa%41mple.com/',
    'http:///example.com/',
    'http:/example.com/',
    'http:\\\\example.com\\path',
    'http://example.com\\path',
    ' http://example.com/',
    'http://example.com/ ',
    'http://exa\nmple.com/',
    'http://exa\tmple.com/',
    'http://[::1]/',
    'http://[::1]:8080/',
    'http://[::ffff:10.0.0.1]/',
    'http://[fe80::1%25eth0]/',
    'https://exa mple.com/',
    'https://example.com?query',
    'https://example.com#frag',
    'HTTP://example.com/',
    'ftp://example.com/file',
    'git://Example.com/repo',
    'ssh://git@example.com/repo',
    'file:///etc/hosts',
    'mailto:someone@example.com',
    'not a url',
    '',
    'http://',
    'https://.',
    'https://..',
    'http://localhost/',
    'http://127.0.0.1:3000/',
  ])('%j reads the same as the WHATWG parser', (url) => {
    same(url);
  });

  it('agrees with the WHATWG parser on generated URLs', () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const pieces = [
      '.',
      '1',
      '25',
      '255',
      '256',
      '0',
      '08',
      'a',
      'z',
      '0',
      '9',
      '.',
      '-',
      '_',
      'x',
      'n',
      '1',
      '2',
      '5',
      '0x',
      ':',
      '@',
      '%',
      'A',
      '/',
      '?',
      '#',
      '[',
    ];
    const schemes = ['http://', 'https://', 'ws://', 'wss://', 'HTTP://'];
    for (let i = 0; i < 20_000; i++) {
      let url = schemes[next(schemes.length)] ?? '';
      const length = 1 + next(14);
      for (let k = 0; k < length; k++) url += pieces[next(pieces.length)];
      same(url);
    }
  });
});
