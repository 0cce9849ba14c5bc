import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `webhook_delivery_attempts`: one per HTTP attempt, kept across replays. No response body. */
@Entity({ name: 'webhook_delivery_attempts' })
export class WebhookDeliveryAttemptOrmEntity {
  @PrimaryColumn('uuid', { name: 'delivery_id' }) deliveryId!: string;
  @PrimaryColumn('integer') attempt!: number;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('integer', { name: 'duration_ms' }) durationMs!: number;
  @Column('integer', { name: 'status_code', nullable: true }) statusCode!: number | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('text') outcome!: string;
}
