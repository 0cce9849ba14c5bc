import { Module } from '@nestjs/common';
import { ChannelModule } from '@app/channel';
import { ChannelsController } from './channels.controller';

/** REST surface of the Channel context: `/v1/channels`. */
@Module({
  imports: [ChannelModule],
  controllers: [ChannelsController],
})
export class ChannelsHttpModule {}
