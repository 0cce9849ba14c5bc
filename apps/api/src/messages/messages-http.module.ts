import { Module } from '@nestjs/common';
import { MessageModule } from '@app/message';
import { MessagesController } from './messages.controller';

/** REST surface of the Message context: `/v1/messages` (read only; messages arrive from WAHA). */
@Module({
  imports: [MessageModule],
  controllers: [MessagesController],
})
export class MessagesHttpModule {}
