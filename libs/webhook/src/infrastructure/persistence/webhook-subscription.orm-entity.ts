import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `webhook_subscriptions` (schema in libs/database migrations). Never leaves infrastructure. */
@Entity({ name: 'webhook_subscriptions' })
export class WebhookSubscriptionOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') url!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text', { name: 'event_types', array: true }) eventTypes!: string[];
  @Column('uuid', { name: 'channel_id', nullable: true }) channelId!: string | null;
  @Column('text', { name: 'secret_enc' }) secretEnc!: string;
  @Column('boolean') active!: boolean;
  @Column('integer', { name: 'max_attempts' }) maxAttempts!: number;
  @Column('integer', { name: 'consecutive_failures' }) consecutiveFailures!: number;
  @Column('timestamptz', { name: 'failing_since', nullable: true }) failingSince!: Date | null;
  @Column('timestamptz', { name: 'disabled_at', nullable: true }) disabledAt!: Date | null;
  @Column('text', { name: 'disabled_reason', nullable: true }) disabledReason!: string | null;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('integer') version!: number;
}
