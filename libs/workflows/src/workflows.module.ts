import { Module } from '@nestjs/common';
import { OutboxActivities } from './activities/outbox.activities';

/** Provides the activity classes; the worker app binds them to task queues. */
@Module({
  providers: [OutboxActivities],
  exports: [OutboxActivities],
})
export class WorkflowsModule {}
