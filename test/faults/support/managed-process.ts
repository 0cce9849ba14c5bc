import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';

/** A child process the test owns: started, SIGKILLed or SIGTERMed, and started again with the same
 *  command and environment. Keeps the tail of its output so a failing test can show it. */
export class ManagedProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private readonly tail: string[] = [];
  /** How many times it was started (1 after the first start). */
  starts = 0;
  /** Exits nobody asked for (time and code), restarted after a second when `supervised`. */
  readonly crashes: string[] = [];
  private stopping = false;
  /** How the last run ended: its exit code, or the signal that ended it. */
  lastExit?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    private readonly ready: () => Promise<boolean>,
    private readonly supervised = false,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it and waits until `ready` says so (or it exits, or the deadline passes). */
  async start(readyTimeoutMs = 90_000): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.stopping = false;
    const child = this.spawn();
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (this.child === child && !this.running)
        throw new Error(
          `${this.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${this.output()}`,
        );
      if (await this.ready().catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${this.name} not ready within ${readyTimeoutMs} ms:\n${this.output()}`);
  }

  /** Sends `signal` to this process only (by pid) and waits for it to exit; SIGKILL after `graceMs`.
   *  A process stopped this way is not restarted by the supervision. Resolves with how it ended. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<ManagedProcess['lastExit']> {
    this.stopping = true;
    const child = this.child;
    if (!child || !this.running) return this.lastExit;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    return this.lastExit;
  }

  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  private spawn(): ChildProcess {
    const child = spawn(this.command, this.args, {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        this.lastExit = { code, signal };
        resolve();
      }),
    );
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
        if (this.tail.length > 60) this.tail.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      // Not asked to stop: a crash. Like a container runtime with restartPolicy Always, start it again.
      this.crashes.push(`${new Date().toISOString()} exit ${code ?? signal}`);
      this.tail.push(`--- exited on its own (${code ?? signal}) ---`);
      if (this.supervised) setTimeout(() => !this.stopping && this.child === child && this.spawn(), 1_000);
    });
    return child;
  }

  output(): string {
    return this.tail.map((line) => `  [${this.name}] ${line}`).join('\n');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function httpOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.ok;
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; then throws with
 *  what the last probe saw. */
export async function waitFor<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | undefined>,
  describe?: () => Promise<string> | string,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(500);
  }
  const seen = describe ? await describe() : '';
  throw new Error(
    `timed out after ${deadlineMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}${seen ? `\n${seen}` : ''}`,
  );
}
