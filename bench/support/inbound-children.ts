import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/** Messages between the benchmark and its child processes (API, worker). */
export type ChildMessage =
  | { type: 'ready'; data: Record<string, unknown> }
  | { type: 'reply'; id: number; data?: unknown; error?: string }
  | { type: 'fatal'; error: string };

export interface BenchChild {
  name: string;
  pid: number;
  ready: Record<string, unknown>;
  /** Sends `{ type: 'call', id, op, args }` and resolves with the child's reply. */
  call<T = unknown>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to close its Nest app and exit; SIGKILLs it (by pid) after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Forks a compiled child entry (IPC channel) and waits for its `ready` message. The child exits on
 * its own when the IPC channel closes (the benchmark died), so no process outlives the run.
 */
export async function forkChild(
  name: string,
  modulePath: string,
  env: Record<string, string>,
  options: { execArgv?: string[]; readyTimeoutMs?: number; log?: (line: string) => void } = {},
): Promise<BenchChild> {
  const child: ChildProcess = fork(modulePath, [], {
    env: { ...process.env, ...env },
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: fork failed`);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (code ${code}) before replying`));
    pending.clear();
  });

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready within ${options.readyTimeoutMs ?? 60_000} ms`)),
      options.readyTimeoutMs ?? 60_000,
    );
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg.data);
      } else if (msg.type === 'fatal') {
        clearTimeout(timer);
        options.log?.(`${name}: ${msg.error}`);
        reject(new Error(`${name} failed: ${msg.error}`));
      } else if (msg.type === 'reply') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.error !== undefined) p.reject(new Error(`${name}: ${msg.error}`));
        else p.resolve(msg.data);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}) before it was ready`));
    });
  }).catch(async (err: unknown) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw err;
  });

  let stopping: Promise<void> | undefined;
  return {
    name,
    pid,
    ready,
    exited,
    call: <T>(op: string, args?: unknown, timeoutMs = 30_000) =>
      new Promise<T>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${name} is not connected`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${op} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ type: 'call', id, op, args });
      }),
    stop: (graceMs = 20_000) =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (child.connected) child.send({ type: 'shutdown' });
        const timer = setTimeout(() => {
          options.log?.(`${name} (pid ${pid}) did not exit within ${graceMs} ms; SIGKILL`);
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, graceMs);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

/** Child side: answers `call` messages with `handlers`, closes on `shutdown` or when the parent goes away. */
export function serveParent(
  handlers: Record<string, (args: unknown) => Promise<unknown>>,
  close: () => Promise<void>,
): void {
  let closing = false;
  const shutdown = (code: number) => {
    if (closing) return;
    closing = true;
    const hardStop = setTimeout(() => process.exit(code || 1), 15_000);
    hardStop.unref();
    void close()
      .catch((err: unknown) => console.error(`close failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        // Exit (not kill) so --cpu-prof writes its profile.
        process.disconnect?.();
        process.exit(code);
      });
  };
  process.on('message', (msg: { type: string; id?: number; op?: string; args?: unknown }) => {
    if (msg.type === 'shutdown') return shutdown(0);
    if (msg.type !== 'call' || msg.id === undefined || !msg.op) return;
    const handler = handlers[msg.op];
    const id = msg.id;
    if (!handler) {
      process.send?.({ type: 'reply', id, error: `unknown op ${msg.op}` });
      return;
    }
    handler(msg.args).then(
      (data) => process.send?.({ type: 'reply', id, data }),
      (err: unknown) => process.send?.({ type: 'reply', id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => shutdown(0));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => shutdown(0));
}

/** Child side: report a startup failure and exit. */
export function failStartup(err: unknown): void {
  const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(error);
  if (process.send) process.send({ type: 'fatal', error }, () => process.exit(1));
  setTimeout(() => process.exit(1), 500);
}

/** The benches' worker child (WorkerModule on every task queue, its singletons under bench ids);
 *  `env` comes last, so a bench's own variables win. */
export function forkBenchWorker(
  env: Record<string, string>,
  options: Parameters<typeof forkChild>[3] = {},
): Promise<BenchChild> {
  return forkChild(
    'worker',
    join(__dirname, 'inbound-worker.js'),
    {
      WORKER_TASK_QUEUES: 'all',
      WORKER_HEALTH_PORT: '0',
      OUTBOX_PROCESSOR_WORKFLOW_ID: 'outbox-processor-bench',
      SESSION_CLEANUP_SCHEDULE_ID: 'session-cleanup-bench',
      ...env,
    },
    options,
  );
}
