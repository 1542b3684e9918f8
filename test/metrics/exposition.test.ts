import { describe, expect, it } from 'vitest';
import { BoundedLabel } from '../../src/server/metrics/bounded-label.js';
import {
  escapeLabelValue,
  formatValue,
  renderExposition,
} from '../../src/server/metrics/exposition.js';
import { LabeledCounter } from '../../src/server/metrics/labeled-counter.js';
import { LabeledHistogram } from '../../src/server/metrics/labeled-histogram.js';
import { ServerMetrics } from '../../src/server/metrics/server-metrics.js';
import { parseExposition, sampleValue, samplesOf } from './exposition-parser.js';

describe('exposition format', () => {
  it('renders HELP, TYPE and samples, escaping label values and help text', () => {
    const text = renderExposition([
      {
        name: 'airlock_things_total',
        help: 'Things with a back\\slash\nand a newline.',
        type: 'counter',
        samples: [
          { labels: { kind: 'a "quoted"\\ value\nwith newline' }, value: 3 },
          { labels: { kind: 'plain' }, value: 0.5 },
        ],
      },
      { name: 'airlock_empty', help: 'No samples.', type: 'gauge', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP airlock_things_total Things with a back\\\\slash\\nand a newline.',
        '# TYPE airlock_things_total counter',
        'airlock_things_total{kind="a \\"quoted\\"\\\\ value\\nwith newline"} 3',
        'airlock_things_total{kind="plain"} 0.5',
        '# HELP airlock_empty No samples.',
        '# TYPE airlock_empty gauge',
        '',
      ].join('\n'),
    );
    const parsed = parseExposition(text);
    expect(
      sampleValue(parsed, 'airlock_things_total', { kind: 'a "quoted"\\ value\nwith newline' }),
    ).toBe(3);
  });

  it('writes numbers as Prometheus reads them', () => {
    expect(
      [1, 0, -2, 0.25, 1e21, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN].map(
        formatValue,
      ),
    ).toEqual(['1', '0', '-2', '0.25', '1e+21', '+Inf', '-Inf', 'NaN']);
    expect(escapeLabelValue('x\\y"z\n')).toBe('x\\\\y\\"z\\n');
  });

  it('refuses invalid names and a family rendered twice', () => {
    const family = { name: 'ok', help: 'h', type: 'gauge' as const, samples: [] };
    expect(() => renderExposition([{ ...family, name: '1bad' }])).toThrow(/invalid metric name/);
    expect(() => renderExposition([family, family])).toThrow(/twice/);
    expect(() =>
      renderExposition([{ ...family, samples: [{ labels: { 'bad-name': 'x' }, value: 1 }] }]),
    ).toThrow(/invalid label name/);
  });

  it('renders cumulative histogram buckets with +Inf, _sum and _count', () => {
    const h = new LabeledHistogram('airlock_wait_seconds', 'Waits.', ['resource_class'], [1, 5]);
    h.observe({ resource_class: 'small' }, 0.5);
    h.observe({ resource_class: 'small' }, 3);
    h.observe({ resource_class: 'small' }, 60);
    h.observe({ resource_class: 'large' }, 1);
    const parsed = parseExposition(renderExposition([h.family()]));
    const bucket = (rc: string, le: string): number =>
      sampleValue(parsed, 'airlock_wait_seconds_bucket', { resource_class: rc, le });
    expect([bucket('small', '1'), bucket('small', '5'), bucket('small', '+Inf')]).toEqual([
      1, 2, 3,
    ]);
    expect(sampleValue(parsed, 'airlock_wait_seconds_sum', { resource_class: 'small' })).toBe(63.5);
    expect(sampleValue(parsed, 'airlock_wait_seconds_count', { resource_class: 'large' })).toBe(1);
    expect(bucket('large', '1')).toBe(1);
  });

  it('counters only go up and need every label', () => {
    const c = new LabeledCounter('airlock_x_total', 'X.', ['route']);
    c.inc({ route: '/a' });
    c.inc({ route: '/a' }, 2);
    expect(c.get({ route: '/a' })).toBe(3);
    expect(() => c.inc({ route: '/a' }, -1)).toThrow(/cannot go down/);
    expect(() => c.inc({})).toThrow(/label route missing/);
    expect(() => new LabeledCounter('airlock_x', 'X.')).toThrow(/_total/);
  });
});

describe('bounded labels', () => {
  it('keeps the first values, reports the rest as other, cuts long values', () => {
    const label = new BoundedLabel({ max: 3, maxLength: 8 });
    expect(['a', 'b', '', 'c', 'a', 'averyverylongvalue'].map((v) => label.value(v))).toEqual([
      'a',
      'b',
      'none',
      'other',
      'a',
      'other',
    ]);
    expect(label.known()).toEqual(['a', 'b', 'none']);
  });
});

describe('server metrics', () => {
  it('counts requests by route pattern and status class, and 429s by route', () => {
    const metrics = new ServerMetrics({ version: '1.2.3' });
    metrics.httpRequest({
      method: 'GET',
      route: '/api/v1/jobs/:id',
      statusCode: 404,
      durationMs: 3,
    });
    metrics.httpRequest({
      method: 'GET',
      route: '/api/v1/jobs/:id',
      statusCode: 429,
      durationMs: 1,
    });
    metrics.httpRequest({
      method: 'GET',
      route: '/api/v1/jobs/:id',
      statusCode: 200,
      durationMs: 2,
    });
    metrics.httpRequest({ method: 'BREW', route: undefined, statusCode: 404, durationMs: 1 });
    const parsed = parseExposition(renderExposition(metrics.families()));
    const requests = (labels: Record<string, string>): number =>
      sampleValue(parsed, 'airlock_http_requests_total', labels);
    expect(requests({ route: '/api/v1/jobs/:id', status_class: '4xx' })).toBe(2);
    expect(requests({ route: '/api/v1/jobs/:id', status_class: '2xx' })).toBe(1);
    expect(requests({ method: 'other', route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(
      sampleValue(parsed, 'airlock_http_rate_limited_total', { route: '/api/v1/jobs/:id' }),
    ).toBe(1);
    expect(
      sampleValue(parsed, 'airlock_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/v1/jobs/:id',
      }),
    ).toBe(3);
    expect(sampleValue(parsed, 'airlock_build_info', { version: '1.2.3' })).toBe(1);
  });

  it('times the queue and the run of jobs by resource class, never past 50 classes', () => {
    const metrics = new ServerMetrics({ version: 'v' });
    metrics.jobClaimed({ resourceClass: 'small', queuedAtMs: 1_000, startedAtMs: null }, 4_000);
    metrics.jobEnded({ resourceClass: 'small', queuedAtMs: 1_000, startedAtMs: 4_000 }, 64_000);
    metrics.jobEnded({ resourceClass: 'small', queuedAtMs: null, startedAtMs: null }, 64_000);
    for (let i = 0; i < 80; i++)
      metrics.jobClaimed({ resourceClass: `class-${i}`, queuedAtMs: 0, startedAtMs: null }, 1);
    metrics.logBytesStored(1_000);
    metrics.logBytesStored(24);
    const parsed = parseExposition(renderExposition(metrics.families()));
    expect(sampleValue(parsed, 'airlock_job_queue_seconds_sum', { resource_class: 'small' })).toBe(
      3,
    );
    expect(
      sampleValue(parsed, 'airlock_job_duration_seconds_bucket', {
        resource_class: 'small',
        le: '60',
      }),
    ).toBe(1);
    expect(
      sampleValue(parsed, 'airlock_job_duration_seconds_count', { resource_class: 'small' }),
    ).toBe(1);
    const classes = new Set(
      samplesOf(parsed, 'airlock_job_queue_seconds_count').map((s) => s.labels.resource_class),
    );
    expect(classes.size).toBe(51);
    expect(classes.has('other')).toBe(true);
    expect(
      sampleValue(parsed, 'airlock_job_queue_seconds_count', { resource_class: 'other' }),
    ).toBe(31);
    expect(sampleValue(parsed, 'airlock_log_bytes_stored_total')).toBe(1_024);
  });
});
