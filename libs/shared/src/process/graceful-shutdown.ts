import type { Server } from 'node:http';

/** Readiness of a process that is about to stop: false from the first shutdown signal on, so a
 *  Kubernetes readiness probe takes the pod out of its Service before it stops serving. */
export class ShutdownReadiness {
  private marked = false;

  get shuttingDown(): boolean {
    return this.marked;
  }

  markShuttingDown(): void {
    this.marked = true;
  }
}

/**
 * The one owner of SIGTERM and SIGINT in a process (instead of Nest's enableShutdownHooks, which
 * re-raises the signal after closing, so the process never exits 0, and runs the module destroy
 * hooks while requests and activities are still running). The first signal runs `shutdown`; the
 * process then exits 0, or 1 when it failed. Later signals are logged and ignored: the orchestrator
 * sends SIGKILL when its grace period is over.
 */
export function handleShutdownSignals(
  shutdown: (signal: NodeJS.Signals) => Promise<void>,
  log: { log(message: string): void; error(message: string, stack?: string): void },
): void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      log.log(`${signal} received again; still shutting down`);
      return;
    }
    started = true;
    const startedAt = Date.now();
    log.log(`${signal} received: shutting down`);
    shutdown(signal).then(
      () => {
        log.log(`shut down in ${Date.now() - startedAt} ms`);
        process.exit(0);
      },
      (err: unknown) => {
        log.error(
          `shutdown failed: ${err instanceof Error ? err.message : String(err)}`,
          err instanceof Error ? err.stack : undefined,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Stops accepting connections and resolves once the requests in flight have been answered, or
 *  after `timeoutMs` (the connections left are then cut). Responses sent from now on close their
 *  keep-alive connection, so clients reconnect to another pod instead of waiting on this one. */
export function drainHttpServer(server: Server, timeoutMs: number): Promise<{ drained: boolean; ms: number }> {
  const startedAt = Date.now();
  server.on('request', (_req, res) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve({ drained: false, ms: Date.now() - startedAt });
    }, timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve({ drained: true, ms: Date.now() - startedAt });
    });
    // Keep-alive connections with no request in flight would hold close() until they time out.
    server.closeIdleConnections();
  });
}

/** Waits for `work` at most `ms`: true when it settled in time, false when the time ran out first.
 *  Its result and error are left to the caller (a rejection after the time is not unhandled). */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    () => true,
    () => true,
  );
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
