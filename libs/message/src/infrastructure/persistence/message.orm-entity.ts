import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type MessageMedia, type MessageMetadata } from '../../domain/message-content';

/** Row of `messages` (schema in libs/database migrations). Never leaves infrastructure. */
@Entity({ name: 'messages' })
export class MessageOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('uuid', { name: 'session_id' }) sessionId!: string;
  @Column('uuid', { name: 'contact_id' }) contactId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('text') direction!: string;
  @Column('text', { name: 'external_id' }) externalId!: string;
  @Column('text', { name: 'wa_chat_id' }) waChatId!: string;
  @Column('text', { name: 'wa_raw_id' }) waRawId!: string;
  @Column('text') type!: string;
  @Column('text', { nullable: true }) text!: string | null;
  @Column('jsonb', { nullable: true }) media!: MessageMedia | null;
  @Column('text') status!: string;
  @Column('smallint', { name: 'ack_level', nullable: true }) ackLevel!: number | null;
  @Column('timestamptz', { name: 'sent_at' }) sentAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('jsonb') metadata!: MessageMetadata;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
