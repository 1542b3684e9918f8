import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobsQueuedEvent } from '../../src/server/store/jobs-queued-bus.js';
import { openStore } from '../../src/server/store/open-store.js';
import { storeContract } from '../../src/server/store/store.contract.js';
import type { Store } from '../../src/server/store/store.js';
import { type PostgresService, startPostgres } from '../services/postgres.js';

let postgres: PostgresService;
let counter = 0;
/** A fresh database per store, so every case starts empty. */
const newDatabase = () => postgres.createDatabase(`store_${++counter}`);

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
});

// Pool of 24: the 20 concurrent claimers of the contract each get their own connection.
storeContract('PostgreSQL', async () =>
  openStore({ kind: 'postgres', url: await newDatabase(), poolSize: 24 }),
);

function nextEvent(store: Store): Promise<JobsQueuedEvent> {
  return new Promise((resolve) => {
    const off = store.onJobsQueued((event) => {
      off();
      resolve(event);
    });
  });
}

describe('PostgreSQL store across replicas', () => {
  it('migrates once when replicas open the same new database at the same time', async () => {
    const url = await newDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ kind: 'postgres', url })));
    try {
      await stores[0]?.projects.create({
        id: 'p',
        name: 'p',
        defaultBranch: 'main',
        createdAtMs: 1,
      });
      expect((await stores[2]?.projects.get('p'))?.name).toBe('p');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query('select name from airlock_migrations');
        expect(rows).toEqual([
          { name: '0001-initial' },
          { name: '0002-storage' },
          { name: '0003-contexts' },
          { name: '0004-serial-groups' },
          { name: '0005-audit-events' },
          { name: '0006-user-source' },
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('wakes long-polls of another replica through NOTIFY, only after commit', async () => {
    const url = await newDatabase();
    const a = await openStore({ kind: 'postgres', url });
    const b = await openStore({ kind: 'postgres', url });
    try {
      const heard: JobsQueuedEvent[] = [];
      b.onJobsQueued((event) => heard.push(event));
      const first = nextEvent(b);
      await a.transaction(async (tx) => {
        await tx.jobs.notifyQueued({ resourceClasses: ['large'], workflowId: 'w1' });
        await tx.settings.set('marker', 1);
      });
      expect(await first).toEqual({ resourceClasses: ['large'], workflowId: 'w1' });
      await expect(
        a.transaction(async (tx) => {
          await tx.jobs.notifyQueued({ workflowId: 'rolled-back' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const third = nextEvent(b);
      await a.jobs.notifyQueued({ workflowId: 'w3' });
      expect(await third).toEqual({ workflowId: 'w3' });
      expect(heard.map((e) => e.workflowId)).toEqual(['w1', 'w3']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('hands each job to exactly one claimer when two replicas claim at once', async () => {
    const url = await newDatabase();
    const a = await openStore({ kind: 'postgres', url, poolSize: 10 });
    const b = await openStore({ kind: 'postgres', url, poolSize: 10 });
    try {
      await a.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
      await a.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
      await a.workflows.create({ id: 'w', pipelineId: 'pl', name: 'w', createdAtMs: 1 });
      await a.jobs.createMany(
        Array.from({ length: 200 }, (_, i) => ({
          id: `j${i}`,
          workflowId: 'w',
          pipelineId: 'pl',
          projectId: 'p',
          name: `j${i}`,
          jobName: 'j',
          type: 'build' as const,
          status: 'queued' as const,
          spec: {},
          resourceClass: 'medium',
          executorKind: 'docker' as const,
          createdAtMs: i,
        })),
      );
      const claimed: string[] = [];
      const claimer = async (store: Store, runnerId: string) => {
        for (;;) {
          const job = await store.jobs.claim({
            runnerId,
            resourceClasses: ['medium'],
            executorKinds: ['docker'],
            nowMs: 10,
            leaseMs: 1_000,
          });
          if (job === undefined) return;
          claimed.push(job.id);
        }
      };
      await Promise.all(
        Array.from({ length: 16 }, (_, i) => claimer(i % 2 === 0 ? a : b, `runner-${i}`)),
      );
      expect(claimed).toHaveLength(200);
      expect(new Set(claimed).size).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('re-opens a lost LISTEN connection and sends one hint-less wake-up', async () => {
    const url = await newDatabase();
    const store = await openStore({ kind: 'postgres', url, onBackgroundError: () => undefined });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const reconnected = nextEvent(store);
      const { rows } = await admin.query(
        "select pg_terminate_backend(pid) as killed from pg_stat_activity where query like 'LISTEN%' and datname = current_database()",
      );
      expect(rows).toEqual([{ killed: true }]);
      expect(await reconnected).toEqual({});
      const after = nextEvent(store);
      await store.jobs.notifyQueued({ workflowId: 'after' });
      expect(await after).toEqual({ workflowId: 'after' });
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('reports an unreachable server as UNAVAILABLE without the password', async () => {
    const url = `postgres://postgres:s3cret-pw@127.0.0.1:${postgres.port}/no_such_database`;
    const failure = await openStore({ kind: 'postgres', url }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'UNAVAILABLE' });
    const message = (failure as Error).message;
    expect(message).toContain(`127.0.0.1:${postgres.port}/no_such_database`);
    expect(message).not.toContain('s3cret-pw');
  });
});
