import { Module } from '@nestjs/common';
import { InboundModule } from '@app/inbound';
import { WahaWebhookController } from './waha-webhook.controller';
import { WahaWebhookService } from './waha-webhook.service';

@Module({
  imports: [InboundModule],
  controllers: [WahaWebhookController],
  providers: [WahaWebhookService],
})
export class WahaHttpModule {}
