import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { ChannelNotFoundError } from '../../domain/channel.errors';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { ChannelSecrets } from '../channel-secrets';
import { type WahaConnection } from '../waha/waha-client.port';
import { type GetWahaConnectionQuery } from './get-waha-connection.query';

/** How to reach the channel's WAHA session, with the API key decrypted: for the activities that
 *  call WAHA. Never put the result into a workflow input or a log line. It names the channel, so
 *  the WAHA client keys the channel's circuit breaker and rate limiter by it. */
@Injectable()
export class GetWahaConnectionHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly secrets: ChannelSecrets,
  ) {}

  async execute(query: GetWahaConnectionQuery): Promise<WahaConnection> {
    assertUuid(query.channelId, 'channelId');
    const channel = await this.channels.findById(query.tenantId, query.channelId);
    if (!channel) throw new ChannelNotFoundError(query.channelId);
    const encryptedKey = channel.encryptedWahaApiKey;
    return {
      baseUrl: channel.wahaBaseUrl,
      session: channel.wahaSession,
      apiKey: encryptedKey === null ? null : this.secrets.decrypt(encryptedKey, channel.id, 'wahaApiKey'),
      channelId: channel.id,
    };
  }
}
