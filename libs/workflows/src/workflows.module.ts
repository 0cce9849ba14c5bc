import { Module } from '@nestjs/common';
import { InboundModule } from '@app/inbound';
import { WebhookModule } from '@app/webhook';
import { AutomationActivities } from './activities/automation.activities';
import { InboundActivities } from './activities/inbound.activities';
import { OutboxActivities } from './activities/outbox.activities';
import { SessionLifecycleActivities } from './activities/session-lifecycle.activities';
import { WebhookActivities, WebhookOutboxPublisher } from './activities/webhook.activities';

const ACTIVITIES = [OutboxActivities, InboundActivities, SessionLifecycleActivities, AutomationActivities, WebhookActivities];

/** Provides the activity classes; the worker app binds them to task queues. Needs the global
 *  TemporalClientModule and WorkflowGatewaysModule. */
@Module({
  imports: [InboundModule, WebhookModule],
  providers: [...ACTIVITIES, WebhookOutboxPublisher],
  exports: ACTIVITIES,
})
export class WorkflowsModule {}
