import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { InboundModule } from '@app/inbound';
import { BufferedWebhookReplayer, InboundWebhookBuffer } from './application/buffered-webhooks';
import { ChatHistoryImporter } from './application/chat-history-importer';
import { HistoryImportRuns } from './application/history-import-runs';
import { HistoryImportStore } from './application/history-import.store.port';
import { HistoryImports } from './application/history-imports.service';
import { HistorySessionConsolidator } from './application/history-session-consolidator';
import { historyImportConfig } from './history-import.config';
import { SqlHistoryImportStore } from './infrastructure/sql-history-import.store';

const SERVICES = [
  HistoryImports,
  HistoryImportRuns,
  ChatHistoryImporter,
  HistorySessionConsolidator,
  InboundWebhookBuffer,
  BufferedWebhookReplayer,
];

/** WhatsApp history imports: the REST use cases, the steps the import workflows run, and the
 *  buffering of live webhooks meanwhile. Needs DatabaseModule, OutboxModule and a
 *  HistoryImportWorkflows + ConversationWorkflows provider (WorkflowGatewaysModule from @app/workflows). */
@Module({
  imports: [InboundModule, ConfigModule.forFeature(historyImportConfig)],
  providers: [{ provide: HistoryImportStore, useClass: SqlHistoryImportStore }, ...SERVICES],
  exports: [...SERVICES, ConfigModule],
})
export class HistoryImportModule {}
