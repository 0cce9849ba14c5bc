import { DefaultLogger, Runtime } from '@temporalio/worker';

/** What every benchmark process shares: timestamped progress lines, cleanups run once (in reverse)
 *  on success, failure, a signal or the watchdog, so no database or server is left behind. */
export const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 23)}] ${line}`);

export const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
let cleanedUp = false;

export async function cleanupAll(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const { name, run } of cleanups.reverse()) {
    try {
      await run();
    } catch (err) {
      console.error(`cleanup ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Cleans up and exits on SIGINT/SIGTERM, and after `watchdogMs` whatever happens (bounded runs). */
export function guardBenchProcess(watchdogMs: number): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  const watchdog = setTimeout(() => {
    console.error(`benchmark exceeded ${watchdogMs} ms; cleaning up and exiting`);
    void cleanupAll().finally(() => process.exit(2));
  }, watchdogMs);
  watchdog.unref();
}

/** Runs a benchmark's `main`: the Temporal SDK quiet and without its own signal handlers (ours clean
 *  up: drop the database, stop the server), the process guarded; exits 0 when `main` resolves, and
 *  with 1 after the cleanups when it fails. */
export function runBench(watchdogMs: number, main: () => Promise<void>): void {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  guardBenchProcess(watchdogMs);
  main()
    .then(() => process.exit(0))
    .catch(async (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      await cleanupAll();
      process.exit(1);
    });
}
