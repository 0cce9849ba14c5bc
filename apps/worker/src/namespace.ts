import { Logger } from '@nestjs/common';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

/** gRPC status codes (google.rpc.Code). */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

/** Registers the namespace when it does not exist yet (self-hosted clusters), then waits until the
 *  frontend serves it. The dev server and Temporal Cloud namespaces already exist. */
export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  retentionDays: number,
  logger: Logger,
): Promise<'existed' | 'registered'> {
  const describe = () => connection.workflowService.describeNamespace({ namespace });
  try {
    await describe();
    return 'existed';
  } catch (err) {
    if (!(isGrpcServiceError(err) && err.code === NOT_FOUND)) throw err;
  }
  logger.log(`registering Temporal namespace ${namespace} (retention ${retentionDays} days)`);
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
  } catch (err) {
    // Another worker registered it first.
    if (!(isGrpcServiceError(err) && err.code === ALREADY_EXISTS)) throw err;
  }
  // The frontend answers describe at once, but pollers consult each service's namespace cache,
  // which refreshes on its own period (about 10 s): wait until a task-queue call gets past it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: 'namespace-probe' },
        taskQueueType: 1,
      });
      return 'registered';
    } catch (err) {
      if (!(isGrpcServiceError(err) && err.code === NOT_FOUND) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
