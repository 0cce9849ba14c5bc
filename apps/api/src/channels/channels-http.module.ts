import { Module } from '@nestjs/common';
import { ChannelModule } from '@app/channel';
import { InboundModule } from '@app/inbound';
import { ChannelsController } from './channels.controller';

/** REST surface of the Channel context: `/v1/channels`. */
@Module({
  imports: [ChannelModule, InboundModule],
  controllers: [ChannelsController],
})
export class ChannelsHttpModule {}
