import { Module } from '@nestjs/common';
import { InboundModule } from '@app/inbound';
import { AutomationActivities } from './activities/automation.activities';
import { InboundActivities } from './activities/inbound.activities';
import { OutboxActivities } from './activities/outbox.activities';
import { SessionLifecycleActivities } from './activities/session-lifecycle.activities';

const ACTIVITIES = [OutboxActivities, InboundActivities, SessionLifecycleActivities, AutomationActivities];

/** Provides the activity classes; the worker app binds them to task queues. Needs the global
 *  TemporalClientModule and ConversationWorkflowsModule. */
@Module({
  imports: [InboundModule],
  providers: ACTIVITIES,
  exports: ACTIVITIES,
})
export class WorkflowsModule {}
