import { Injectable } from '@nestjs/common';
import { isUuid } from '@app/shared';
import { ChannelNotFoundError } from '../../domain/channel.errors';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { ChannelSecrets } from '../channel-secrets';
import { type ChannelView, toChannelView } from '../channel.view';

export interface ResolvedInboundChannel {
  channel: ChannelView;
  /** The tenant that owns the channel: every row the inbound event leads to belongs to it. */
  tenantId: string;
  /** Decrypted HMAC secret to verify `X-Webhook-Hmac` with. Never log it or pass it to a workflow. */
  webhookSecret: string;
}

/**
 * First step of the inbound webhook path, where only the channel id from the URL is known: the
 * channel, its tenant and its webhook secret. ChannelNotFoundError for unknown (or malformed) ids.
 */
@Injectable()
export class ResolveInboundChannelHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly secrets: ChannelSecrets,
  ) {}

  async execute(channelId: string): Promise<ResolvedInboundChannel> {
    if (!isUuid(channelId)) throw new ChannelNotFoundError(String(channelId).slice(0, 100));
    const channel = await this.channels.findByIdInAnyTenant(channelId);
    if (!channel) throw new ChannelNotFoundError(channelId);
    return {
      channel: toChannelView(channel),
      tenantId: channel.tenantId,
      webhookSecret: this.secrets.decrypt(channel.encryptedWebhookSecret, channel.id, 'webhookSecret'),
    };
  }
}
