import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type ContactFirstTouch } from '../../domain/contact-first-touch';
import { type ContactSource } from '../../domain/contact-source';

/** Row of `contacts` (schema in libs/database migrations). Never leaves infrastructure. */
@Entity({ name: 'contacts' })
export class ContactOrmEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId!: string;
  @Column('text') phone!: string;
  @Column('text', { name: 'whatsapp_id', nullable: true }) whatsappId!: string | null;
  @Column('text', { nullable: true }) name!: string | null;
  @Column('text', { name: 'profile_picture_url', nullable: true }) profilePictureUrl!: string | null;
  @Column('text') source!: ContactSource;
  @Column('jsonb', { name: 'first_touch', nullable: true }) firstTouch!: ContactFirstTouch | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
  @Column('integer') version!: number;
}
