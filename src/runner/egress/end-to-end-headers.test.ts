import { describe, expect, it } from 'vitest';
import { endToEndHeaders } from './end-to-end-headers.js';

describe('endToEndHeaders', () => {
  it('drops hop-by-hop headers and the job’s proxy credentials, keeps the rest as sent', () => {
    expect(
      endToEndHeaders([
        'Host',
        'example.com',
        'Proxy-Authorization',
        'Basic am9iOnNlY3JldA==',
        'Proxy-Connection',
        'keep-alive',
        'Connection',
        'keep-alive, X-Trace',
        'X-Trace',
        'abc',
        'Transfer-Encoding',
        'chunked',
        'TE',
        'trailers',
        'Accept',
        'a',
        'accept',
        'b',
        'Content-Length',
        '3',
      ]),
    ).toEqual(['Host', 'example.com', 'Accept', 'a', 'accept', 'b', 'Content-Length', '3']);
  });

  it('keeps a message without hop-by-hop headers unchanged', () => {
    const raw = ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'];
    expect(endToEndHeaders(raw)).toEqual(raw);
  });
});
