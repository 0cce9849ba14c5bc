import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `ad_conversions`. Never leaves infrastructure. */
@Entity({ name: 'ad_conversions' })
export class AdConversionOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('uuid', { name: 'message_id' }) messageId!: string;
  @Column('uuid', { name: 'contact_id' }) contactId!: string;
  @Column('uuid', { name: 'session_id' }) sessionId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('text', { name: 'source_type', nullable: true }) sourceType!: string | null;
  @Column('text', { name: 'source_id', nullable: true }) sourceId!: string | null;
  @Column('text', { name: 'source_url', nullable: true }) sourceUrl!: string | null;
  @Column('text', { name: 'ctwa_clid', nullable: true }) ctwaClid!: string | null;
  @Column('text', { nullable: true }) title!: string | null;
  @Column('text', { nullable: true }) body!: string | null;
  @Column('text', { name: 'entry_point', nullable: true }) entryPoint!: string | null;
  @Column('jsonb') raw!: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
