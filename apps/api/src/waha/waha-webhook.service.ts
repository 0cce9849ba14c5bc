import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { ResolveInboundChannelHandler } from '@app/channel';
import { InboundWebhookBuffer } from '@app/history-import';
import {
  chooseInboundMode,
  inboundConfig,
  type InboundConfig,
  parseWahaEvent,
  verifyWahaSignature,
  WahaEventApplier,
  type WahaEvent,
} from '@app/inbound';
import { ValidationError } from '@app/shared';
import { inboundMessageWorkflowId, TemporalConversationWorkflows } from '@app/workflows';
import { ErrorCode } from '../platform/error-envelope';

export interface WebhookOutcome {
  /** 202: the work is durably accepted (workflow started or transaction committed); 200: ignored. */
  httpStatus: 200 | 202;
  body: Record<string, unknown>;
}

/** Events that belong to the conversation history: while the channel imports its history they are
 *  buffered and replayed, in arrival order, after it. */
const BUFFERED_KINDS: ReadonlySet<WahaEvent['kind']> = new Set(['message', 'ack', 'revoked', 'reaction']);

/** WAHA's webhook target. The channel comes from the URL only: a `session` in the body never routes
 *  anywhere else. Nothing is recorded unless the body carries the channel's HMAC. */
@Injectable()
export class WahaWebhookService {
  constructor(
    private readonly channels: ResolveInboundChannelHandler,
    private readonly applier: WahaEventApplier,
    private readonly buffer: InboundWebhookBuffer,
    private readonly workflows: TemporalConversationWorkflows,
    @Inject(inboundConfig.KEY) private readonly config: InboundConfig,
  ) {}

  async receive(
    channelId: string,
    rawBody: Buffer | undefined,
    signature: string | undefined,
  ): Promise<WebhookOutcome> {
    const { channel, tenantId, webhookSecret } = await this.channels.execute(channelId);
    if (!rawBody || !verifyWahaSignature(rawBody, webhookSecret, signature)) {
      throw new UnauthorizedException({
        code: ErrorCode.WEBHOOK_SIGNATURE_INVALID,
        message: 'X-Webhook-Hmac is missing or is not the HMAC-SHA512 of the body with the channel webhook secret',
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new ValidationError('body', 'must be JSON');
    }
    const event = parseWahaEvent(json);
    const ignored = (reason: string): WebhookOutcome => ({
      httpStatus: 200,
      body: { status: 'ignored', eventId: event.eventId, reason },
    });
    const accepted = (extra: Record<string, unknown>): WebhookOutcome => ({
      httpStatus: 202,
      body: { status: 'accepted', eventId: event.eventId, ...extra },
    });

    if (event.kind === 'message' && event.message.group && !channel.allowGroups)
      return ignored('group messages are disabled on this channel');
    if (BUFFERED_KINDS.has(event.kind) && (await this.buffer.bufferIfImporting(tenantId, channelId, rawBody))) {
      return accepted({
        outcome: 'buffered',
        reason: 'the channel is importing its history; this event is applied after the import',
      });
    }
    if (event.kind === 'message') {
      const { message } = event;
      const mode = chooseInboundMode(
        channel.inboundMode,
        this.config.defaultMode,
        this.config.sagaPercent,
        message.externalId,
      );
      if (mode === 'saga') {
        const { workflowId, duplicate } = await this.workflows.startInboundSaga({
          tenantId,
          channelId,
          message: { ...message, receivedAt: new Date().toISOString() },
        });
        return accepted({ mode, workflowId, duplicate });
      }
    }
    const applied = await this.applier.apply(
      { tenantId, channelId, allowGroups: channel.allowGroups },
      event,
      (externalId) => inboundMessageWorkflowId(channelId, externalId),
    );
    return applied.status === 'ignored' ? ignored(applied.reason) : accepted(applied.details);
  }
}
