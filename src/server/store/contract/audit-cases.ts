import { describe, expect, it } from 'vitest';
import type { AuditEventRow, AuditQuery } from '../audit-events-repository.js';
import type { Store } from '../store.js';

function event(
  id: string,
  action: string,
  occurredAtMs: number,
  over: Partial<AuditEventRow> = {},
) {
  const row: AuditEventRow = {
    id,
    action,
    occurredAtMs,
    actor: { id: 'u1', type: 'user', name: 'alice' },
    target: { id: `t-${id}`, type: 'context', name: `name-${id}` },
    scope: null,
    payload: {},
    metadata: {},
    version: 1,
    success: true,
    request: null,
    ...over,
  };
  return row;
}

const all: AuditQuery = { order: 'asc', limit: 1000 };
const ids = (rows: readonly AuditEventRow[]) => rows.map((r) => r.id);

/** The audit log: append, read by time with filters and a cursor, prune. */
export function auditCases(store: () => Store): void {
  describe('audit events', () => {
    it('stores every field and reads it back as it was written', async () => {
      const s = store();
      const full = event('e1', 'project.env_var.create', 1_700_000_000_123, {
        actor: { id: 'u9', type: 'user', name: 'Zoë "the admin", ops\nteam' },
        target: { id: 'p1', type: 'project', name: 'web,app' },
        scope: { id: 'p1', type: 'project', name: 'web,app' },
        payload: { name: 'TOKEN', nested: { list: [1, 'two', null] } },
        metadata: { source: 'api', note: 'x' },
        success: false,
        request: { id: 'req-1', ipAddress: '203.0.113.9', clientTraceId: 'trace-42' },
      });
      const bare = event('e2', 'workflow.job.scheduled', 1_700_000_000_124, {
        actor: { id: 'system', type: 'system' },
        target: { id: 'j1', type: 'job' },
        request: { id: 'req-2', ipAddress: '127.0.0.1' },
      });
      expect(await s.auditEvents.insertMany([full, bare])).toBe(2);
      const rows = await s.auditEvents.list(all);
      expect(rows).toEqual([full, bare]);
      // Absent parts stay absent, not empty strings.
      expect(rows[1]?.actor).toEqual({ id: 'system', type: 'system' });
      expect(rows[1]?.request).toEqual({ id: 'req-2', ipAddress: '127.0.0.1' });
      expect(await s.auditEvents.insertMany([])).toBe(0);
    });

    it('skips an id that is already stored (a duplicate delivery keeps one row)', async () => {
      const s = store();
      await s.auditEvents.insertMany([event('a', 'user.create', 1)]);
      expect(
        await s.auditEvents.insertMany([
          event('a', 'user.create', 1, { success: false }),
          event('b', 'user.create', 2),
        ]),
      ).toBe(1);
      const rows = await s.auditEvents.list(all);
      expect(ids(rows)).toEqual(['a', 'b']);
      expect(rows[0]?.success).toBe(true);
    });

    it('orders by time then id, both ways, and pages with a cursor without gaps or repeats', async () => {
      const s = store();
      // Several events in the same millisecond: the id breaks the tie.
      const events = [
        event('k', 'a.x', 10),
        event('c', 'a.x', 20),
        event('a', 'a.x', 20),
        event('b', 'a.x', 20),
        event('z', 'a.x', 5),
        event('m', 'a.x', 30),
      ];
      await s.auditEvents.insertMany(events);
      const asc = ['z', 'k', 'a', 'b', 'c', 'm'];
      expect(ids(await s.auditEvents.list(all))).toEqual(asc);
      expect(ids(await s.auditEvents.list({ ...all, order: 'desc' }))).toEqual([...asc].reverse());
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let after: AuditQuery['after'];
        for (let page = 0; page < 10; page++) {
          const rows = await s.auditEvents.list({ order, limit: 2, after });
          if (rows.length === 0) break;
          seen.push(...ids(rows));
          const last = rows[rows.length - 1] as AuditEventRow;
          after = { occurredAtMs: last.occurredAtMs, id: last.id };
        }
        expect(seen).toEqual(order === 'asc' ? asc : [...asc].reverse());
      }
    });

    it('filters by time (since inclusive, until exclusive), action words, actor and target', async () => {
      const s = store();
      await s.auditEvents.insertMany([
        event('1', 'context.create', 100),
        event('2', 'context.env_var.store', 200),
        event('3', 'contextual.thing', 300),
        event('4', 'context.envXvar.store', 400),
        event('5', 'context', 500, {
          actor: { id: 'r1', type: 'runner', name: 'builder-1' },
          target: { id: 'j9', type: 'job', name: 'build' },
        }),
        event('6', 'user.logged_in', 600),
      ]);
      const q = async (query: Partial<AuditQuery>) =>
        ids(await s.auditEvents.list({ ...all, ...query }));
      expect(await q({ sinceMs: 200, untilMs: 500 })).toEqual(['2', '3', '4']);
      expect(await q({ actionPrefix: 'context' })).toEqual(['1', '2', '4', '5']);
      expect(await q({ actionPrefix: 'context.' })).toEqual(['1', '2', '4', '5']);
      // `_` is a letter here, not a LIKE wildcard.
      expect(await q({ actionPrefix: 'context.env_var' })).toEqual(['2']);
      expect(await q({ actionPrefix: 'context.env_var.store' })).toEqual(['2']);
      expect(await q({ actionPrefix: 'Context' })).toEqual([]);
      expect(await q({ actionPrefix: 'contex' })).toEqual([]);
      expect(await q({ actor: 'builder-1' })).toEqual(['5']);
      expect(await q({ actor: 'r1' })).toEqual(['5']);
      expect(await q({ actor: 'alice', untilMs: 300 })).toEqual(['1', '2']);
      expect(await q({ target: 'j9' })).toEqual(['5']);
      expect(await q({ target: 'build' })).toEqual(['5']);
      expect(await q({ target: 'name-6' })).toEqual(['6']);
      expect(await q({ actionPrefix: 'user', actor: 'nobody' })).toEqual([]);
      expect(await q({ limit: 2, order: 'desc' })).toEqual(['6', '5']);
    });

    it('deletes only events older than the cutoff, in batches', async () => {
      const s = store();
      await s.auditEvents.insertMany(
        Array.from({ length: 7 }, (_, i) => event(`e${i}`, 'user.create', i * 10)),
      );
      expect(await s.auditEvents.deleteOlderThan(45, 2)).toBe(5);
      expect(ids(await s.auditEvents.list(all))).toEqual(['e5', 'e6']);
      expect(await s.auditEvents.deleteOlderThan(45, 2)).toBe(0);
      expect(await s.auditEvents.deleteOlderThan(0)).toBe(0);
    });

    it('inserts inside a caller transaction and rolls back with it', async () => {
      const s = store();
      await expect(
        s.transaction(async (tx) => {
          await tx.auditEvents.insertMany([event('x', 'project.create', 1)]);
          expect(ids(await tx.auditEvents.list(all))).toEqual(['x']);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await s.auditEvents.list(all)).toEqual([]);
    });
  });
}
