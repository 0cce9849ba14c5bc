import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, ValidationError } from '@app/shared';
import { AdConversion } from '../../domain/ad-conversion.aggregate';
import { AdConversionRepository } from '../../domain/ad-conversion.repository.port';
import { MessageNotFoundError } from '../../domain/message.errors';
import { MessageRepository } from '../../domain/message.repository.port';
import { type AdConversionView, toAdConversionView } from '../ad-conversion.view';
import { type RecordAdConversionCommand } from './record-ad-conversion.command';

export interface RecordAdConversionResult {
  conversion: AdConversionView;
  /** True only for the one call that stored it (and raised `tracking.ad_conversion`). */
  created: boolean;
}

/** Records that a message came from a Click-to-WhatsApp ad: once per message (unique index), with
 *  one `tracking.ad_conversion` event; repeated calls return the stored conversion. */
@Injectable()
export class RecordAdConversionHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly conversions: AdConversionRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: RecordAdConversionCommand): Promise<RecordAdConversionResult> {
    const candidate = AdConversion.record(command, this.clock.now());
    return this.unitOfWork.run(async () => {
      const message = await this.messages.findById(command.tenantId, command.messageId);
      if (!message) throw new MessageNotFoundError(command.messageId);
      for (const field of ['contactId', 'sessionId', 'channelId'] as const) {
        if (message[field] !== command[field])
          throw new ValidationError(field, `must be the ${field} of message ${message.id}`);
      }
      if (await this.conversions.insertIfAbsent(candidate)) {
        await this.eventOutbox.append(candidate.pullEvents());
        return { conversion: toAdConversionView(candidate), created: true };
      }
      const existing = await this.conversions.findByMessageId(command.tenantId, command.messageId);
      if (!existing) throw new MessageNotFoundError(command.messageId);
      return { conversion: toAdConversionView(existing), created: false };
    });
  }
}
