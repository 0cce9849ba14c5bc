import { Client, Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import { NOOP_FLOOR_TASK_QUEUE, NOOP_FLOOR_WORKFLOW } from '../floors/noop-activities';
import { failStartup, serveParent } from './inbound-children';
import { benchDataConverter } from './data-converter';

/**
 * Child process of `npm run bench:inbound`: starts the saga floor's workflows the way the API starts
 * sagas (TemporalConversationWorkflows.startInboundSaga: a grpc-js Connection, no local worker,
 * client.workflow.start with a business id and ALLOW_DUPLICATE_FAILED_ONLY), one per `start` call
 * of the bench's load generator, which counts the call as the receiver's 202.
 */
async function main(): Promise<void> {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const client = new Client({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    dataConverter: benchDataConverter(),
  });
  serveParent(
    {
      start: async (args) => {
        await client.workflow.start(NOOP_FLOOR_WORKFLOW, {
          workflowId: String((args as { workflowId: string }).workflowId),
          taskQueue: NOOP_FLOOR_TASK_QUEUE,
          args: [],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        });
        return true;
      },
    },
    () => connection.close(),
  );
  process.send?.({ type: 'ready', data: { pid: process.pid } });
}

main().catch(failStartup);
