import { MigrationInterface, QueryRunner } from 'typeorm';

/** The W3C trace context (traceparent, tracestate) of the operation that raised an event, written
 *  with the event when tracing is on (null otherwise), so its publication and webhook deliveries
 *  continue the same trace in whichever process relays it. */
export class OutboxTraceContext1765065600000 implements MigrationInterface {
  name = 'OutboxTraceContext1765065600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_events ADD COLUMN trace_context jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_events DROP COLUMN trace_context`);
  }
}
