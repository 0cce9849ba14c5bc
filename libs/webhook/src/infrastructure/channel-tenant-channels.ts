import { Injectable } from '@nestjs/common';
import { ChannelNotFoundError, GetChannelHandler } from '@app/channel';
import { TenantChannels } from '../application/tenant-channels.port';

/** TenantChannels through the Channel context's public query. */
@Injectable()
export class ChannelContextTenantChannels extends TenantChannels {
  constructor(private readonly getChannel: GetChannelHandler) {
    super();
  }

  async exists(tenantId: string, channelId: string): Promise<boolean> {
    try {
      await this.getChannel.execute({ tenantId, id: channelId });
      return true;
    } catch (error) {
      if (error instanceof ChannelNotFoundError) return false;
      throw error;
    }
  }
}
