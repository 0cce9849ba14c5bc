/** Runs a use case atomically: repositories and the outbox writer called inside `run` share one
 *  database transaction, so a state change and its events commit or roll back together. */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
