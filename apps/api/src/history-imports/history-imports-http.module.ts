import { Module } from '@nestjs/common';
import { HistoryImportModule } from '@app/history-import';
import { HistoryImportsController } from './history-imports.controller';

/** REST surface of history imports: `/v1/channels/{channelId}/history-imports`. */
@Module({
  imports: [HistoryImportModule],
  controllers: [HistoryImportsController],
})
export class HistoryImportsHttpModule {}
