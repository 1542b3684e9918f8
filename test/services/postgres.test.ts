import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresService, startPostgres } from './postgres.js';

describe('startPostgres', () => {
  let postgres: PostgresService;

  beforeAll(async () => {
    postgres = await startPostgres();
  });

  afterAll(async () => {
    await postgres?.stop();
  });

  it('answers queries on the database its url names', async () => {
    expect(postgres.url).toBe(`postgres://postgres@127.0.0.1:${postgres.port}/airlock`);
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const result = await client.query<{ db: string; sum: number }>(
        'select current_database() as db, 1 + 2 as sum',
      );
      expect(result.rows).toEqual([{ db: 'airlock', sum: 3 }]);
    } finally {
      await client.end();
    }
  });

  it('creates databases that accept tables and data', async () => {
    const url = await postgres.createDatabase('smoke_extra');
    expect(url).toBe(`postgres://postgres@127.0.0.1:${postgres.port}/smoke_extra`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('create table t (id int primary key, name text not null)');
      await client.query("insert into t values (1, 'one'), (2, 'two')");
      const result = await client.query<{ name: string }>('select name from t order by id');
      expect(result.rows.map((row) => row.name)).toEqual(['one', 'two']);
      const current = await client.query<{ db: string }>('select current_database() as db');
      expect(current.rows[0]?.db).toBe('smoke_extra');
    } finally {
      await client.end();
    }
  });

  it('refuses database names that would need quoting', async () => {
    await expect(postgres.createDatabase('x"; drop')).rejects.toThrow(/not allowed/);
  });
});
