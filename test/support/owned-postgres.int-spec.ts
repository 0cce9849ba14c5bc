import { Client } from 'pg';
import { runMigrations } from '../../libs/database/src/run-migrations';
import { OwnedPostgres } from './owned-postgres';

/** The outage tests rely on this: stop() really refuses connections, start() brings the data back. */
describe('OwnedPostgres', () => {
  let pg: OwnedPostgres;

  beforeAll(async () => {
    pg = await OwnedPostgres.create();
  }, 120_000);
  afterAll(async () => {
    await pg?.destroy();
  });

  const query = async (url: string, sql: string): Promise<unknown[]> => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it('refuses connections while stopped and keeps its data across a restart', async () => {
    const url = await pg.createDatabase('owned_check');
    await runMigrations(url);
    await query(url, `INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'outage tenant')`);

    await pg.stop();
    expect(pg.isRunning).toBe(false);
    await expect(query(url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await pg.start();
    expect(await query(url, `SELECT name FROM tenants`)).toEqual([{ name: 'outage tenant' }]);

    await pg.crash();
    await expect(query(url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await pg.start();
    expect(await query(url, `SELECT name FROM tenants`)).toEqual([{ name: 'outage tenant' }]);
  }, 120_000);
});
