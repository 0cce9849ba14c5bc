import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, ManagedProcess } from './managed-process';

const ROOT = resolve(__dirname, '../../..');

/**
 * A Temporal dev server (the real CLI) the test owns: its own free port and a persistent SQLite file
 * in a temp folder, so `restart()` (SIGTERM or SIGKILL, then start on the same port and file) brings
 * back every workflow, timer and task queue, like a cluster coming back after an outage.
 */
export class OwnedTemporal {
  private constructor(
    private readonly process: ManagedProcess,
    private readonly folder: string,
    readonly port: number,
  ) {}

  static async start(): Promise<OwnedTemporal> {
    const cli = execFileSync('bash', [join(ROOT, 'scripts/ensure-temporal-cli.sh')], { encoding: 'utf8' }).trim();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TEMPORAL_DEV_SERVER_ARGS } = require(join(ROOT, 'scripts/temporal-dev-args.cjs')) as {
      TEMPORAL_DEV_SERVER_ARGS: string[];
    };
    const folder = mkdtempSync(join(tmpdir(), 'crm-fault-temporal-'));
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const process = new ManagedProcess(
      'temporal',
      cli,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--headless',
        '--db-filename',
        join(folder, 'temporal.db'),
        '--log-level',
        'error',
        ...TEMPORAL_DEV_SERVER_ARGS,
      ],
      {},
      () => frontendServing(address),
    );
    await process.start(120_000);
    return new OwnedTemporal(process, folder, port);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get starts(): number {
    return this.process.starts;
  }

  /** Stops the server (SIGTERM: graceful; SIGKILL: a crash) and starts it again on the same port and file. */
  async restart(signal: 'SIGTERM' | 'SIGKILL', downForMs = 0): Promise<void> {
    await this.process.stop(signal);
    if (downForMs > 0) await new Promise((r) => setTimeout(r, downForMs));
    await this.process.start(120_000);
  }

  output(): string {
    return this.process.output();
  }

  async destroy(): Promise<void> {
    await this.process.stop('SIGTERM');
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The frontend answers its gRPC health check (the port opens a little before it serves). */
async function frontendServing(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const { status } = await connection.healthService.check({});
    return status === 1; // SERVING
  } finally {
    await connection.close();
  }
}
