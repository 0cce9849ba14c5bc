import { Module } from '@nestjs/common';
import { HistoryImportModule } from '@app/history-import';
import { InboundModule } from '@app/inbound';
import { WebhookModule } from '@app/webhook';
import { AutomationActivities } from './activities/automation.activities';
import { HistoryImportActivities } from './activities/history-import.activities';
import { InboundActivities } from './activities/inbound.activities';
import { OutboxActivities } from './activities/outbox.activities';
import { SessionLifecycleActivities } from './activities/session-lifecycle.activities';
import { WebhookActivities, WebhookOutboxPublisher } from './activities/webhook.activities';

const ACTIVITIES = [
  OutboxActivities,
  InboundActivities,
  SessionLifecycleActivities,
  AutomationActivities,
  WebhookActivities,
  HistoryImportActivities,
];

/** Provides the activity classes; the worker app binds them to task queues. Needs the global
 *  TemporalClientModule and WorkflowGatewaysModule. */
@Module({
  imports: [InboundModule, WebhookModule, HistoryImportModule],
  providers: [...ACTIVITIES, WebhookOutboxPublisher],
  exports: ACTIVITIES,
})
export class WorkflowsModule {}
