import { AsyncLocalStorage } from 'node:async_hooks';

/** Carries the correlation id of the current request or workflow into the events it raises. */
const storage = new AsyncLocalStorage<{ correlationId: string }>();

export const Correlation = {
  run<T>(correlationId: string, work: () => T): T {
    return storage.run({ correlationId }, work);
  },
  current(): string | undefined {
    return storage.getStore()?.correlationId;
  },
};
