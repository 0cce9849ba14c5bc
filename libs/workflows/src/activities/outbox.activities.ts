import { Injectable } from '@nestjs/common';
import { OutboxRelayService } from '@app/outbox';
import {
  CleanupInput,
  OutboxActivitiesContract,
  OutboxCountsSnapshot,
  RelayBatchInput,
  RelayBatchResult,
} from '../contracts/outbox-processor.contracts';
import { requireInt } from '../contracts/validation';

/** ProcessPendingEvents, ProcessFailedEvents, CleanupOldEvents and GetOutboxMetrics of the seed,
 *  as thin adapters over the outbox relay use cases. */
@Injectable()
export class OutboxActivities implements OutboxActivitiesContract {
  constructor(private readonly relay: OutboxRelayService) {}

  processPendingEvents(input: RelayBatchInput): Promise<RelayBatchResult> {
    return this.relay.processPending(requireInt(input.batchSize, 'batchSize', 1, 10_000));
  }

  processFailedEvents(input: RelayBatchInput): Promise<RelayBatchResult> {
    return this.relay.processFailed(requireInt(input.batchSize, 'batchSize', 1, 10_000));
  }

  cleanupOldEvents(input: CleanupInput): Promise<{ deleted: number }> {
    return this.relay.cleanup(
      requireInt(input.batchSize, 'batchSize', 1, 10_000),
      requireInt(input.retentionMs, 'retentionMs', 0),
    );
  }

  getOutboxMetrics(): Promise<OutboxCountsSnapshot> {
    return this.relay.metrics();
  }
}
