import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startEmbeddedPostgres, blockingFolder, nativeDirOfPackage } = require('../../../scripts/dev-postgres.cjs') as {
  nativeDirOfPackage: () => string;
  startEmbeddedPostgres: (
    options: Record<string, unknown>,
  ) => Promise<{ url: string; dataDir: string; stop: () => Promise<void> }>;
  blockingFolder: (target: string, ids: { uid: number; gid: number }) => string | null;
};

const isRoot = process.getuid?.() === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `npm run dev`'s embedded PostgreSQL started from a clone in a private folder (a fresh `mktemp -d`,
 * mode 700, as root's home is): the binaries (node_modules, linked into the folder) and the data
 * folder both sit where the postgres OS user, which PostgreSQL runs as under root, cannot enter.
 * It used to die with `spawn .../initdb EACCES`; now it starts.
 */
describe('dev start-up: embedded PostgreSQL from a private folder', () => {
  let privateClone: string;
  let sharedDir: string;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(() => {
    privateClone = mkdtempSync(join(tmpdir(), 'crm-private-clone-'));
    sharedDir = mkdtempSync(join(tmpdir(), 'crm-dev-postgres-shared-'));
  });

  afterAll(async () => {
    await stop?.();
    if (privateClone) rmSync(privateClone, { recursive: true, force: true });
    if (sharedDir) rmSync(sharedDir, { recursive: true, force: true });
  });

  it("initialises, starts and serves the crm database, keeping out of the postgres user's way only as root", async () => {
    expect(statSync(privateClone).mode & 0o777).toBe(0o700);
    symlinkSync(realpathSync(nativeDirOfPackage()), join(privateClone, 'native'));
    const databaseDir = join(privateClone, '.data', 'postgres');
    const logged: string[] = [];

    const started = await startEmbeddedPostgres({
      databaseDir,
      port: await freePort(),
      nativeDir: join(privateClone, 'native'),
      sharedDir,
      log: (line: string) => logged.push(line),
    });
    stop = started.stop;

    const client = new Client({ connectionString: started.url });
    await client.connect();
    try {
      expect((await client.query('SELECT current_database() AS db')).rows[0]).toEqual({ db: 'crm' });
    } finally {
      await client.end();
    }
    if (isRoot) {
      const ids = {
        uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
        gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
      };
      expect(blockingFolder(join(databaseDir, 'PG_VERSION'), ids)).toBe(privateClone);
      // Data and binaries moved where that user can reach them, and the log says so and why.
      expect(started.dataDir.startsWith(sharedDir)).toBe(true);
      expect(blockingFolder(join(started.dataDir, 'PG_VERSION'), ids)).toBeNull();
      expect(logged.join('\n')).toContain(`cannot enter ${privateClone}`);
    } else {
      expect(started.dataDir).toBe(databaseDir);
    }
  }, 180_000);
});
