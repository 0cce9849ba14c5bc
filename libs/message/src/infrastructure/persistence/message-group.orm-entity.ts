import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `message_groups`. Never leaves infrastructure. */
@Entity({ name: 'message_groups' })
export class MessageGroupOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('uuid', { name: 'session_id' }) sessionId!: string;
  @Column('uuid', { name: 'channel_id' }) channelId!: string;
  @Column('uuid', { name: 'message_ids', array: true }) messageIds!: string[];
  @Column('timestamptz', { name: 'first_message_at' }) firstMessageAt!: Date;
  @Column('timestamptz', { name: 'last_message_at' }) lastMessageAt!: Date;
  @Column('timestamptz', { name: 'completed_at' }) completedAt!: Date;
}
