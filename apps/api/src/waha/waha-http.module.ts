import { Module } from '@nestjs/common';
import { HistoryImportModule } from '@app/history-import';
import { InboundModule } from '@app/inbound';
import { WahaWebhookController } from './waha-webhook.controller';
import { WahaWebhookService } from './waha-webhook.service';

@Module({
  imports: [InboundModule, HistoryImportModule],
  controllers: [WahaWebhookController],
  providers: [WahaWebhookService],
})
export class WahaHttpModule {}
