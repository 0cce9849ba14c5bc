import { Column, Entity, PrimaryColumn } from 'typeorm';
import { OutboxStatus } from '../domain/outbox-event';

@Entity({ name: 'outbox_events' })
export class OutboxEventOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text', { name: 'aggregate_type' }) aggregateType!: string;
  @Column('text', { name: 'aggregate_id' }) aggregateId!: string;
  @Column('text') type!: string;
  @Column('jsonb') payload!: Record<string, unknown>;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('text', { name: 'correlation_id', nullable: true }) correlationId!: string | null;
  @Column('jsonb', { name: 'trace_context', nullable: true }) traceContext!: Record<string, string> | null;
  @Column('text') status!: OutboxStatus;
  @Column('integer') attempts!: number;
  @Column('timestamptz', { name: 'next_attempt_at' }) nextAttemptAt!: Date;
  @Column('timestamptz', { name: 'locked_until', nullable: true }) lockedUntil!: Date | null;
  @Column('uuid', { name: 'claim_token', nullable: true }) claimToken!: string | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt!: Date | null;
}
