import { Injectable, Logger } from '@nestjs/common';
import { GetChannelHandler } from '@app/channel';
import { parseWahaEvent, WahaEventApplier } from '@app/inbound';
import { Clock, DomainError } from '@app/shared';
import { HistoryImportStore } from './history-import.store.port';

/** The webhook receiver's side: while the channel imports its history, live webhooks wait. */
@Injectable()
export class InboundWebhookBuffer {
  constructor(
    private readonly store: HistoryImportStore,
    private readonly clock: Clock,
  ) {}

  /** Stores the verified body in arrival order when an import of the channel is buffering; false: process it now. */
  bufferIfImporting(tenantId: string, channelId: string, rawBody: Buffer): Promise<boolean> {
    return this.store.bufferIfImporting(tenantId, channelId, rawBody.toString('utf8'), this.clock.now());
  }
}

/**
 * After an import: replays the channel's buffered webhooks in arrival order through the path a
 * live webhook takes (WahaEventApplier; messages in direct mode, one transaction each), deleting
 * each once applied. Applying is idempotent, so an event applied again after a crash between the
 * two changes nothing: each is applied exactly once in effect. Stops buffering only when nothing
 * is left, atomically with the check (a webhook arriving meanwhile is replayed in the next round).
 */
@Injectable()
export class BufferedWebhookReplayer {
  private readonly logger = new Logger(BufferedWebhookReplayer.name);

  constructor(
    private readonly store: HistoryImportStore,
    private readonly applier: WahaEventApplier,
    private readonly channels: GetChannelHandler,
  ) {}

  async replay(
    input: { importId: string; tenantId: string; channelId: string },
    correlationIdOf: (externalId: string) => string,
    heartbeat: () => void,
  ): Promise<{ replayed: number; failed: number }> {
    const channel = await this.channels.execute({ tenantId: input.tenantId, id: input.channelId });
    const target = { tenantId: input.tenantId, channelId: input.channelId, allowGroups: channel.allowGroups };
    let replayed = 0;
    let failed = 0;
    for (;;) {
      const batch = await this.store.nextBuffered(input.channelId, 100);
      if (batch.length === 0) {
        if (await this.store.stopBufferingIfDrained(input.importId, input.channelId)) break;
        continue;
      }
      for (const buffered of batch) {
        try {
          await this.applier.apply(target, parseWahaEvent(JSON.parse(buffered.body)), correlationIdOf);
          replayed += 1;
        } catch (err) {
          // Only an event that can never apply is dropped (logged); an outage fails the activity,
          // which retries from this event.
          if (!(err instanceof DomainError)) throw err;
          failed += 1;
          this.logger.warn(
            { importId: input.importId, bufferedId: buffered.id, error: err.message },
            'buffered webhook could not be applied; dropped',
          );
        }
        await this.store.deleteBuffered(buffered.id);
        heartbeat();
      }
    }
    return { replayed, failed };
  }
}
