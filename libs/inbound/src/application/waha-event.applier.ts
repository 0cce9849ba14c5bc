import { Injectable } from '@nestjs/common';
import { RecordWahaSessionStatusHandler } from '@app/channel';
import { ApplyMessageAckHandler, ReactToMessageHandler, RevokeMessageHandler } from '@app/message';
import { type WahaEvent } from '../domain/waha-event.parser';
import { DirectInboundProcessor } from './direct-inbound.processor';

/** What applying an event did: `accepted` (work done) or `ignored` (nothing to do), with details. */
export type AppliedWahaEvent =
  { status: 'accepted'; details: Record<string, unknown> } | { status: 'ignored'; reason: string };

/**
 * Applies one parsed WAHA event of a channel in this process: messages through direct mode (one
 * transaction, then the durable timers), acks, revokes, reactions and session statuses through
 * their handlers. Shared by the webhook receiver and the replay of webhooks buffered during a
 * history import, so a replayed event takes exactly the path a live one takes. Every step is
 * idempotent (a message once per WAHA id, acks only forward, ...), so applying an event twice
 * changes nothing the second time.
 */
@Injectable()
export class WahaEventApplier {
  constructor(
    private readonly sessionStatus: RecordWahaSessionStatusHandler,
    private readonly acks: ApplyMessageAckHandler,
    private readonly revokes: RevokeMessageHandler,
    private readonly reactions: ReactToMessageHandler,
    private readonly direct: DirectInboundProcessor,
  ) {}

  /** `correlationIdOf` names a message's work (the saga's workflow id, so both paths correlate alike). */
  async apply(
    target: { tenantId: string; channelId: string; allowGroups: boolean },
    event: WahaEvent,
    correlationIdOf: (externalId: string) => string,
  ): Promise<AppliedWahaEvent> {
    const { tenantId, channelId } = target;
    switch (event.kind) {
      case 'ignored':
        return { status: 'ignored', reason: event.reason };
      case 'message': {
        const { message } = event;
        if (message.group && !target.allowGroups)
          return { status: 'ignored', reason: 'group messages are disabled on this channel' };
        const result = await this.direct.process(tenantId, channelId, message, correlationIdOf(message.externalId));
        return { status: 'accepted', details: { mode: 'direct', ...result, duplicate: !result.messageCreated } };
      }
      case 'ack': {
        const { outcome, status } = await this.acks.execute({
          tenantId,
          channelId,
          externalId: event.externalId,
          ack: event.ack,
          at: new Date(event.at),
        });
        return outcome === 'ignored'
          ? { status: 'ignored', reason: 'the message already has this or a later status' }
          : { status: 'accepted', details: { outcome, messageStatus: status } };
      }
      case 'revoked': {
        const { outcome } = await this.revokes.execute({
          tenantId,
          channelId,
          chatId: event.chatId,
          rawId: event.rawId,
          at: new Date(event.at),
        });
        // `held`: it overtook its message (WAHA does not order events) and is applied when the message lands.
        return { status: 'accepted', details: { outcome } };
      }
      case 'reaction': {
        const react = (targetExternalId: string) =>
          this.reactions.execute({
            tenantId,
            channelId,
            targetExternalId,
            reactorId: event.reactor,
            emoji: event.emoji,
            reactionExternalId: event.reactionExternalId,
            at: new Date(event.at),
          });
        let { outcome } = await react(event.targetExternalId);
        // A bare target id does not say whose message it is: when the likelier direction is not
        // stored yet, try the other one; if neither is, both stay held and the one that lands applies.
        if (outcome === 'held' && event.alternativeTargetExternalId)
          ({ outcome } = await react(event.alternativeTargetExternalId));
        return { status: 'accepted', details: { outcome } };
      }
      case 'session_status': {
        const { outcome } = await this.sessionStatus.execute({
          channelId,
          tenantId,
          status: event.status,
          at: event.at,
        });
        return outcome === 'ignored'
          ? { status: 'ignored', reason: 'an equal or newer status was recorded' }
          : { status: 'accepted', details: { outcome } };
      }
    }
  }
}
