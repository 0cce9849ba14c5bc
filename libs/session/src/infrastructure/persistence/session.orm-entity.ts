import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type SessionFirstTouch } from '../../domain/session.events';
import { type SessionSummaryData } from '../../domain/session-summary.value-object';

/** Row of `sessions` (schema in libs/database migrations). Never leaves infrastructure. */
@Entity({ name: 'sessions' })
export class SessionOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('uuid', { name: 'contact_id' }) contactId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('timestamptz', { name: 'last_activity_at' }) lastActivityAt!: Date;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt!: Date | null;
  @Column('text', { name: 'end_reason', nullable: true }) endReason!: string | null;
  @Column('integer', { name: 'timeout_seconds' }) timeoutSeconds!: number;
  @Column('integer', { name: 'warning_lead_seconds', nullable: true }) warningLeadSeconds!: number | null;
  @Column('jsonb', { nullable: true }) summary!: SessionSummaryData | null;
  @Column('jsonb', { name: 'first_touch', nullable: true }) firstTouch!: SessionFirstTouch | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('integer') version!: number;
}
