import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from './exposition-parser.js';

const ok = `# HELP a_total A.
# TYPE a_total counter
a_total{x="1"} 2
# TYPE h histogram
h_bucket{le="1"} 1
h_bucket{le="+Inf"} 2
h_sum 3.5
h_count 2
`;

/** The strict parser the metrics tests rely on must itself reject what is malformed. */
describe('the strict exposition parser', () => {
  it('reads a valid text', () => {
    const parsed = parseExposition(ok);
    expect(sampleValue(parsed, 'a_total', { x: '1' })).toBe(2);
    expect(sampleValue(parsed, 'h_count')).toBe(2);
    expect(parsed.get('h')?.type).toBe('histogram');
  });

  it.each([
    ['no final newline', 'a 1'],
    ['a sample without TYPE', 'b 1\n'],
    ['an empty line', '# TYPE a gauge\n\na 1\n'],
    ['a bad value', '# TYPE a gauge\na one\n'],
    ['two spaces', '# TYPE a gauge\na  1\n'],
    ['an unquoted label', '# TYPE a gauge\na{x=1} 1\n'],
    ['a bad escape', '# TYPE a gauge\na{x="\\t"} 1\n'],
    ['an unterminated label', '# TYPE a gauge\na{x="1} 1\n'],
    ['a duplicate series', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n'],
    ['a duplicate label', '# TYPE a gauge\na{x="1",x="2"} 1\n'],
    ['an unknown type', '# TYPE a meter\na 1\n'],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n'],
    ['interleaved families', '# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n'],
    ['a family split in two', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a again\n'],
    ['a TYPE after samples', '# HELP a A.\na 1\n# TYPE a gauge\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      'buckets that are not cumulative',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    ],
    [
      '+Inf different from _count',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    ],
    ['a histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});
