import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/** Every timer the simulator starts (acks, webhook retries) goes through here, so reset and shutdown stop them all. */
@Injectable()
export class Scheduler implements OnApplicationShutdown {
  private readonly logger = new Logger(Scheduler.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Map<NodeJS.Timeout, () => void>();

  /** Runs `task` after `delayMs`; its failures are logged, never thrown. */
  after(delayMs: number, task: () => unknown): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void Promise.resolve()
          .then(task)
          .catch((err: unknown) =>
            this.logger.error(`scheduled task failed: ${err instanceof Error ? err.message : String(err)}`),
          );
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
  }

  /** Resolves true after `delayMs`, or false as soon as the scheduler is cancelled. */
  sleep(delayMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiters.delete(timer);
          resolve(true);
        },
        Math.max(0, delayMs),
      );
      this.waiters.set(timer, () => resolve(false));
    });
  }

  get pending(): number {
    return this.timers.size + this.waiters.size;
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const [timer, wake] of this.waiters) {
      clearTimeout(timer);
      wake();
    }
    this.waiters.clear();
  }

  onApplicationShutdown(): void {
    this.cancelAll();
  }
}
