import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { RecordWahaSessionStatusHandler, ResolveInboundChannelHandler } from '@app/channel';
import { ApplyMessageAckHandler, ReactToMessageHandler, RevokeMessageHandler } from '@app/message';
import { chooseInboundMode, DirectInboundProcessor, inboundConfig, type InboundConfig, parseWahaEvent, verifyWahaSignature } from '@app/inbound';
import { isUuid, NotFoundError, ValidationError } from '@app/shared';
import { inboundMessageWorkflowId, TemporalConversationWorkflows } from '@app/workflows';

export interface WebhookOutcome {
  /** 202: the work is durably accepted (workflow started or transaction committed); 200: ignored. */
  httpStatus: 200 | 202;
  body: Record<string, unknown>;
}

/** WAHA's webhook target. The channel comes from the URL only: a `session` in the body never routes
 *  anywhere else. Nothing is recorded unless the body carries the channel's HMAC. */
@Injectable()
export class WahaWebhookService {
  constructor(
    private readonly channels: ResolveInboundChannelHandler,
    private readonly sessionStatus: RecordWahaSessionStatusHandler,
    private readonly acks: ApplyMessageAckHandler,
    private readonly revokes: RevokeMessageHandler,
    private readonly reactions: ReactToMessageHandler,
    private readonly direct: DirectInboundProcessor,
    private readonly workflows: TemporalConversationWorkflows,
    @Inject(inboundConfig.KEY) private readonly config: InboundConfig,
  ) {}

  async receive(channelId: string, rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookOutcome> {
    if (!isUuid(channelId)) throw new NotFoundError('channel', channelId);
    const { channel, tenantId, webhookSecret } = await this.channels.execute(channelId);
    if (!rawBody || !verifyWahaSignature(rawBody, webhookSecret, signature)) {
      throw new UnauthorizedException('X-Webhook-Hmac is missing or is not the HMAC-SHA512 of the body with the channel webhook secret');
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new ValidationError('body', 'must be JSON');
    }
    const event = parseWahaEvent(json);
    const ignored = (reason: string): WebhookOutcome => ({ httpStatus: 200, body: { status: 'ignored', eventId: event.eventId, reason } });
    const accepted = (extra: Record<string, unknown>): WebhookOutcome => ({ httpStatus: 202, body: { status: 'accepted', eventId: event.eventId, ...extra } });

    switch (event.kind) {
      case 'ignored':
        return ignored(event.reason);
      case 'message': {
        const { message } = event;
        if (message.group && !channel.allowGroups) return ignored('group messages are disabled on this channel');
        const mode = chooseInboundMode(channel.inboundMode, this.config.defaultMode, this.config.sagaPercent, message.externalId);
        if (mode === 'saga') {
          const { workflowId, duplicate } = await this.workflows.startInboundSaga({ tenantId, channelId, message });
          return accepted({ mode, workflowId, duplicate });
        }
        const result = await this.direct.process(tenantId, channelId, message, inboundMessageWorkflowId(channelId, message.externalId));
        return accepted({ mode, ...result, duplicate: !result.messageCreated });
      }
      case 'ack': {
        const { outcome, status } = await this.acks.execute({ tenantId, channelId, externalId: event.externalId, ack: event.ack, at: new Date(event.at) });
        return outcome === 'ignored' ? ignored('the message already has this or a later status') : accepted({ outcome, messageStatus: status });
      }
      case 'revoked': {
        const { outcome } = await this.revokes.execute({ tenantId, channelId, chatId: event.chatId, rawId: event.rawId, at: new Date(event.at) });
        // `held`: it overtook its message (WAHA does not order events) and is applied when the message lands.
        return accepted({ outcome });
      }
      case 'reaction': {
        const react = (targetExternalId: string) => this.reactions.execute({
          tenantId, channelId, targetExternalId, reactorId: event.reactor, emoji: event.emoji,
          reactionExternalId: event.reactionExternalId, at: new Date(event.at),
        });
        let { outcome } = await react(event.targetExternalId);
        // A bare target id does not say whose message it is: when the likelier direction is not
        // stored yet, try the other one; if neither is, both stay held and the one that lands applies.
        if (outcome === 'held' && event.alternativeTargetExternalId) ({ outcome } = await react(event.alternativeTargetExternalId));
        // `held`: it overtook its message (WAHA does not order events) and is applied when the message lands.
        return accepted({ outcome });
      }
      case 'session_status': {
        const { outcome } = await this.sessionStatus.execute({ channelId, tenantId, status: event.status, at: event.at });
        return outcome === 'ignored' ? ignored('an equal or newer status was recorded') : accepted({ outcome });
      }
    }
  }
}
