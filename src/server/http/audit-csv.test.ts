import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type AuditEventView, auditCsvColumns } from '../../protocol/audit-api.js';
import { auditCsvHeader, auditCsvRow, csvField } from './audit-csv.js';

const tricky = 'Zoë "ops", eu\nwest\r\n=cmd|calc';

const event: AuditEventView = {
  action: 'user.logged_in',
  actor: { id: 'anonymous', type: 'anonymous', name: tricky },
  target: { id: 'unknown', type: 'user', name: tricky },
  payload: { reason: 'unknown_user', list: [1, null, 'x,y'] },
  occurred_at: '2024-05-01T12:00:00.123Z',
  metadata: { user_agent: 'curl/8' },
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  version: 1,
  scope: null,
  success: false,
  request: { id: 'req-1', ip_address: '203.0.113.9', client_trace_id: 'a,b' },
};

describe('audit log CSV', () => {
  it('quotes only fields with commas, quotes or line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('')).toBe('');
  });

  it('writes the columns of the operations guide, nested fields as JSON, and parses back', () => {
    const text =
      auditCsvHeader() + auditCsvRow(event) + auditCsvRow({ ...event, scope: event.actor });
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parse(text, { relax_column_count: false }) as string[][];
    expect(header).toEqual([
      'action',
      'actor',
      'target',
      'payload',
      'occurred_at',
      'metadata',
      'id',
      'version',
      'scope',
      'success',
      'request',
    ]);
    expect(header).toEqual([...auditCsvColumns]);
    expect(rows).toHaveLength(2);
    const [row] = rows as [string[]];
    const cell = (name: string) => row[auditCsvColumns.indexOf(name as never)] ?? '';
    expect(cell('action')).toBe('user.logged_in');
    expect(JSON.parse(cell('actor'))).toEqual(event.actor);
    expect(JSON.parse(cell('target'))).toEqual(event.target);
    expect(JSON.parse(cell('payload'))).toEqual(event.payload);
    expect(cell('occurred_at')).toBe(event.occurred_at);
    expect(JSON.parse(cell('metadata'))).toEqual(event.metadata);
    expect(cell('id')).toBe(event.id);
    expect(cell('version')).toBe('1');
    expect(cell('scope')).toBe('');
    expect(cell('success')).toBe('false');
    expect(JSON.parse(cell('request'))).toEqual(event.request);
    expect(JSON.parse(rows[1]?.[auditCsvColumns.indexOf('scope')] ?? '')).toEqual(event.actor);
  });

  it('never starts a cell with a spreadsheet formula character', () => {
    const [, row] = parse(auditCsvHeader() + auditCsvRow(event)) as string[][];
    for (const cell of row ?? []) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
