import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, assertUuid } from '@app/shared';
import { type Message } from '../../domain/message.aggregate';
import { MessageRepository } from '../../domain/message.repository.port';
import { parseWaMessageId, waMessageKey } from '../../domain/wa-message-id';
import { type MessageView, toMessageView } from '../message.view';

/** How long after recording an automated message its echo under another id is still taken for it:
 *  well beyond the warning's send (bounded by the session's deadline, minutes at most) plus WAHA's
 *  webhook retries (15 x 2 s by default), short enough that an agent repeating the text later is not. */
export const ECHO_MATCH_WINDOW_MS = 15 * 60_000;

export interface AdoptWahaMessageIdCommand {
  tenantId: string;
  channelId: string;
  /** The id WAHA gave the message (`true_{chat}_{raw}`). */
  externalId: string;
  /** The message recorded under the pre-generated id, when the caller knows it (the sender).
   *  Otherwise (an echo webhook) it is looked up: same chat, automated, same text, not yet acked. */
  placeholderId?: string;
  text?: string | null;
}

export interface AdoptWahaMessageIdResult {
  /** The message now recorded under `externalId`. */
  message: MessageView;
  /** True when this call moved the placeholder to `externalId`. */
  adopted: boolean;
}

/**
 * Reconciles an automated message we recorded before sending it (the session timeout warning,
 * under a pre-generated id) with the id WAHA really used, for engines that ignore the pre-generated
 * id. Both the sender (when sendText answers) and the echo (`message.any`, which may come first)
 * call it; whichever comes first moves the record, the other finds it moved: one message, never a
 * second one taken for new activity. Serialised with CreateMessage on the WAHA id's lock. Null when
 * there is nothing to reconcile (no such placeholder, and no message under `externalId`).
 */
@Injectable()
export class AdoptWahaMessageIdHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: AdoptWahaMessageIdCommand): Promise<AdoptWahaMessageIdResult | null> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.channelId, 'channelId');
    if (command.placeholderId !== undefined) assertUuid(command.placeholderId, 'placeholderId');
    const waId = parseWaMessageId(command.externalId, 'externalId');
    if (!waId.fromMe) return null;
    return this.unitOfWork.run(async () => {
      await this.messages.lockWaMessage(command.channelId, waMessageKey(waId));
      // Read after the lock: a change that waited for its message's creation is never dated before it.
      const now = this.clock.now();
      const existing = await this.messages.findByExternalId(command.tenantId, command.channelId, command.externalId);
      if (existing) return { message: toMessageView(existing), adopted: false };
      const placeholder = await this.placeholderFor(command, waId.chatId, waId.rawId, now);
      if (!placeholder || !placeholder.metadata.automated || !placeholder.adoptExternalId(command.externalId, now))
        return null;
      await this.messages.update(placeholder);
      return { message: toMessageView(placeholder), adopted: true };
    });
  }

  private placeholderFor(
    command: AdoptWahaMessageIdCommand,
    chatId: string,
    rawId: string,
    now: Date,
  ): Promise<Message | null> {
    if (command.placeholderId !== undefined)
      return this.messages.findById(command.tenantId, command.placeholderId, { forUpdate: true });
    if (!command.text) return Promise.resolve(null);
    return this.messages.findAutomatedPlaceholder(
      command.tenantId,
      command.channelId,
      {
        chatId,
        text: command.text,
        createdAfter: new Date(now.getTime() - ECHO_MATCH_WINDOW_MS),
        otherThanRawId: rawId,
      },
      { forUpdate: true },
    );
  }
}
